// The resolved policy as apply-rbac stores it for issue-cert: every example comes back as it was,
// and anything of another shape is refused with the path of the first wrong field.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolvedPolicyFromJson } from '../../shared/policy/resolved-json.js';
import type { Policy } from '../../shared/policy/types.js';
import { EXAMPLES, examplePolicy } from '../rbac/policy-fixtures.js';

const examples = readdirSync(EXAMPLES).filter((name) => name.endsWith('.yaml'));
const asJson = (value: unknown): Policy => JSON.parse(JSON.stringify(value));

describe('resolvedPolicyFromJson', () => {
  it.each(examples)('reads %s back as the policy it was stored from', (name) => {
    // Prepare
    const policy = examplePolicy(name);
    // Act
    const read = resolvedPolicyFromJson(asJson(policy), 'test');
    // Assess
    expect(asJson(read)).toEqual(asJson(policy));
  });

  it.each<[string, (p: Policy) => unknown, string]>([
    ['a missing field', (p) => Reflect.deleteProperty(p, 'templates'), '$.templates is missing'],
    ['an unknown field', (p) => Object.assign(p, { password: 'x' }), '$.password is not a field'],
    ['another version', (p) => Object.assign(p, { version: 2 }), '$.version is not 1'],
    [
      'a role under another name',
      (p) => Object.assign(p.roles.calico as object, { name: 'x' }),
      '$.roles.calico.name is not "calico"',
    ],
    [
      'a span of no known type',
      (p) => Object.assign(p.roles.calico?.permissions[0] as object, { span: { type: 'all' } }),
      '$.roles.calico.permissions[0].span.type is not prefix, key or range',
    ],
    [
      'a TTL that is no number of seconds',
      (p) => Object.assign(p.ca, { maxTtlSeconds: '8760h' }),
      '$.ca.maxTtlSeconds is not a positive whole number of seconds',
    ],
  ])('refuses %s', (_what, spoil, message) => {
    // Prepare
    const json = asJson(examplePolicy('calico-kubernetes-simple.yaml'));
    spoil(json);
    // Act
    const read = () => resolvedPolicyFromJson(json, 'secretsmanager://x');
    // Assess
    expect(read).toThrow(`secretsmanager://x does not hold a resolved etcd-warden policy: ${message}`);
  });
});
