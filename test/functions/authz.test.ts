// Requester matching and issuance decisions, pure: every way a caller could get a name it should not.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { authorizeIssue, matchRequester, parseCaller } from '../../shared/authz/index.js';
import { WardenError } from '../../shared/errors.js';
import { loadPolicy } from '../../shared/policy/load.js';
import type { Policy } from '../../shared/policy/types.js';

const ACCT = '123456789012';
const NODE = 'i-0abc12345678def01';
const OTHER_NODE = 'i-0fff12345678def99';
const session = (role: string, name: string) => `arn:aws:sts::${ACCT}:assumed-role/${role}/${name}`;

const policy = loadPolicy(
  readFileSync(new URL('fixtures/policy.yaml', import.meta.url), 'utf8'),
  'policy.yaml',
).policy as Policy;

const refusal = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof WardenError ? error.code : 'unexpected';
  }
};

const matches = (pattern: string, caller: string) => {
  const parsed = parseCaller(caller);
  if (!parsed) throw new Error(`not a caller: ${caller}`);
  return matchRequester(pattern, parsed);
};

describe('parseCaller', () => {
  it.each([
    'arn:aws:iam::123456789012:role/a*',
    'arn:aws:iam::123456789012:user/a?b',
    `arn:aws:sts::${ACCT}:assumed-role/k8s-node/i-0abc12345678def01\n`,
    'arn:aws:sts::12345678901:assumed-role/r/s',
    'arn:aws:iam::123456789012:role/',
    'arn:aws:sts::123456789012:assumed-role/r',
    'arn:aws:s3:::bucket',
    '',
  ])('refuses %j as a caller', (arn) => {
    // Act / Assess
    expect(parseCaller(arn)).toBeUndefined();
  });

  it('reads an assumed-role session', () => {
    // Act
    const caller = parseCaller(session('k8s-node', NODE));
    // Assess
    expect(caller).toMatchObject({ kind: 'assumed-role', account: ACCT, name: 'k8s-node', session: NODE });
  });
});

describe('matchRequester', () => {
  it.each([
    // [pattern, caller, matches]
    [`arn:aws:iam::${ACCT}:role/app-runner`, session('app-runner', 'any'), true],
    [`arn:aws:iam::${ACCT}:role/team/app-runner`, session('app-runner', 'any'), true],
    [`arn:aws:iam::${ACCT}:role/app-runner`, session('app-runner2', 'any'), false],
    [`arn:aws:iam::${ACCT}:role/app-runner`, `arn:aws:sts::999999999999:assumed-role/app-runner/s`, false],
    [`arn:aws:iam::${ACCT}:role/app-*`, session('app-runner', 's'), true],
    [`arn:aws:iam::${ACCT}:role/app-?`, session('app-x', 's'), true],
    [`arn:aws:iam::${ACCT}:role/app-?`, session('app-xy', 's'), false],
    [`arn:aws:iam::${ACCT}:role/a*`, session('ab', 's'), true],
    // Anchored: a pattern is never a prefix match.
    [`arn:aws:iam::${ACCT}:role/a`, session('ab', 's'), false],
    [`arn:aws:iam::${ACCT}:role/ab`, `arn:aws:iam::${ACCT}:role/ab`, true],
    // A path narrows a wildcard name, and a session does not tell the path: no match.
    [`arn:aws:iam::${ACCT}:role/team/app-*`, session('app-runner', 's'), false],
    // Regex characters in a pattern are literal.
    [`arn:aws:iam::${ACCT}:role/app.runner`, session('appxrunner', 's'), false],
    [`arn:aws:iam::${ACCT}:user/alice`, `arn:aws:iam::${ACCT}:user/alice`, true],
    [`arn:aws:iam::${ACCT}:user/alice`, `arn:aws:iam::${ACCT}:user/alice2`, false],
    // A user pattern never matches a role session of the same name.
    [`arn:aws:iam::${ACCT}:user/alice`, session('alice', 's'), false],
    [`arn:aws:sts::${ACCT}:assumed-role/ci/*`, session('ci', 'run-1'), true],
    [`arn:aws:sts::${ACCT}:assumed-role/ci/run-1`, session('ci', 'run-2'), false],
  ])('%s against %s: %s', (pattern, caller, expected) => {
    // Act
    const result = matches(pattern, caller);
    // Assess
    expect(result !== undefined).toBe(expected);
  });

  it('binds {instanceId} to the session name, and only to an instance id', () => {
    // Prepare
    const pattern = `arn:aws:sts::${ACCT}:assumed-role/k8s-node/{instanceId}`;
    // Act / Assess
    expect(matches(pattern, session('k8s-node', NODE))).toEqual({ instanceId: NODE });
    expect(matches(pattern, session('k8s-node', 'not-an-instance'))).toBeUndefined();
    expect(matches(pattern, session('k8s-node', 'i-0ABC12345678DEF01'))).toBeUndefined();
    expect(matches(pattern, session('other-role', NODE))).toBeUndefined();
  });
});

describe('authorizeIssue', () => {
  it('allows a role session the name lists', () => {
    // Act
    const grant = authorizeIssue(policy, session('app-runner', 'deploy'), 'app');
    // Assess
    expect(grant).toEqual({
      name: 'app',
      caller: session('app-runner', 'deploy'),
      requester: `arn:aws:iam::${ACCT}:role/app-runner`,
    });
  });

  it.each([
    ['a caller allowed for another user', session('other-runner', 's'), 'app', 'forbidden'],
    [
      'a template caller asking for another instance',
      session('k8s-node', NODE),
      `node-${OTHER_NODE}`,
      'forbidden',
    ],
    ['a template caller asking for a plain user', session('k8s-node', NODE), 'app', 'forbidden'],
    ['a user without requesters', session('app-runner', 's'), 'root', 'forbidden'],
    ['a member', session('app-runner', 's'), 'etcd-1', 'forbidden'],
    ['no caller', undefined, 'app', 'forbidden'],
    ['a caller that is no ARN', 'app-runner', 'app', 'forbidden'],
    ['a wildcard caller', `arn:aws:iam::${ACCT}:role/app-*`, 'app', 'forbidden'],
    ['an unknown user', session('app-runner', 's'), 'nobody', 'not-found'],
    ['a template name that is no instance id', session('k8s-node', NODE), 'node-bogus', 'not-found'],
    ['a prototype key', session('app-runner', 's'), '__proto__', 'not-found'],
  ])('refuses %s', (_what, caller, name, code) => {
    // Act / Assess
    expect(refusal(() => authorizeIssue(policy, caller, name))).toBe(code);
  });

  it('gives an instance its own template user', () => {
    // Act
    const grant = authorizeIssue(policy, session('k8s-node', NODE), `node-${NODE}`);
    // Assess
    expect(grant.name).toBe(`node-${NODE}`);
  });
});

// Identity before existence: a caller that no requester of the policy matches cannot tell a user
// from a template instance, a member or a name the policy does not have.
describe('authorizeIssue: the same 403 for every name', () => {
  const STRANGER = session('stranger', 's');
  const NAMES = [
    ['a user', 'app'],
    ['a template instance', `node-${NODE}`],
    ['a member', 'etcd-1'],
    ['an absent name', 'nobody'],
    ['"constructor"', 'constructor'],
    ['"toString"', 'toString'],
    ['"hasOwnProperty"', 'hasOwnProperty'],
    ['"__proto__"', '__proto__'],
  ] as const;

  const failure = (fn: () => unknown): { code: string; message: string } | 'no error' | 'unexpected' => {
    try {
      fn();
      return 'no error';
    } catch (error) {
      return error instanceof WardenError ? { code: error.code, message: error.message } : 'unexpected';
    }
  };

  it.each(NAMES)('refuses an unknown caller %s with the same forbidden', (_what, name) => {
    // Act
    const result = failure(() => authorizeIssue(policy, STRANGER, name));
    // Assess
    expect(result).toEqual({
      code: 'forbidden',
      message: `${STRANGER} may not obtain a certificate for "${name}"`,
    });
  });

  it.each(
    NAMES.flatMap(([what, name]) => [
      [what, 'no caller', name, undefined],
      [what, 'a caller that is no ARN', name, 'app-runner'],
    ]),
  )('refuses %s to %s with the same forbidden', (_what, _who, name, caller) => {
    // Act
    const result = failure(() => authorizeIssue(policy, caller, name));
    // Assess
    expect(result).toEqual({
      code: 'forbidden',
      message: 'no caller identity: a certificate needs an IAM principal',
    });
  });

  it.each(['nobody', 'constructor', 'toString', 'hasOwnProperty', '__proto__'])(
    'tells a known requester that %j is not in the policy',
    (name) => {
      // Act
      const result = failure(() => authorizeIssue(policy, session('app-runner', 's'), name));
      // Assess
      expect(result).toEqual({ code: 'not-found', message: `the policy has no user "${name}"` });
    },
  );

  it('tells a known template requester, too, that an absent name is not in the policy', () => {
    // Act
    const result = failure(() => authorizeIssue(policy, session('k8s-node', NODE), 'constructor'));
    // Assess
    expect(result).toEqual({ code: 'not-found', message: 'the policy has no user "constructor"' });
  });

  it('tells a known requester that a member is not issued over HTTP', () => {
    // Act
    const result = failure(() => authorizeIssue(policy, session('app-runner', 's'), 'etcd-1'));
    // Assess
    expect(result).toEqual({
      code: 'forbidden',
      message: '"etcd-1" is a member; members are not issued over HTTP',
    });
  });
});
