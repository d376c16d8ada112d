// YAML features no policy needs, refused because they let the text a reviewer reads differ from
// the data etcd gets: anchors and aliases as keys (the alias key re-declares alice with other
// roles), merge keys, explicit tags, control characters. Each is an error at its place; the
// alias-key policy applies nothing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../shared/policy/load.js';
import { warden } from '../rbac/cli-env.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';

const ALIAS_KEY = `version: 1
roles:
  app: [{ prefix: /app/, access: read }]
  ops: [{ prefix: /ops/, access: readwrite }]
users:
  root: { roles: [root] }
  &u alice: { roles: [app] }
  *u : { roles: [ops] }
`;

const findings = (text: string) =>
  loadPolicy(text, 'p.yaml').diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.rule}`);

const USERS =
  'version: 1\nroles:\n  app: [{ prefix: /app/, access: read }]\nusers:\n  root: { roles: [root] }\n';

describe('YAML features a policy may not use', () => {
  it('an alias as a key: an error at both keys, and the duplicate it hides', () => {
    // Assess
    expect(findings(ALIAS_KEY)).toEqual([
      '7:6 error yaml-alias-key',
      '8:3 error duplicate-name',
      '8:3 error yaml-alias-key',
    ]);
  });

  it.each([
    [
      'a merge key',
      `${USERS}  <<: { roles: [app] }\n`,
      ['6:3 error invalid-name', '6:3 error yaml-merge-key'],
    ],
    [
      '!!binary',
      `${USERS}  a: { roles: !!binary aGVsbG8= }\n`,
      ['6:24 error schema-type', '6:24 error yaml-tag'],
    ],
    ['!!set', `${USERS}  a: { roles: !!set { app } }\n`, ['6:21 error schema-type', '6:21 error yaml-tag']],
    [
      '!!str, which the fast parser reads silently',
      `${USERS}  a: { roles: [!!str app] }\n`,
      ['6:22 error yaml-tag'],
    ],
    [
      'a local tag',
      `${USERS}  a: { roles: [app], certificate: { ttl: !custom 720h } }\n`,
      ['6:50 error yaml-tag'],
    ],
    ['a language tag', `${USERS}  a: { roles: [!!python/object:os.system app] }\n`, ['6:42 error yaml-tag']],
    [
      'a C0 control character',
      `${USERS}  a: { roles: ["app\\u0001"] }\n`,
      ['6:16 error control-character', '6:16 error undefined-role'],
    ],
    [
      'a C1 control character',
      `${USERS}  "b\\u0085": { roles: [app] }\n`,
      ['6:3 error control-character', '6:3 error invalid-name'],
    ],
  ])('%s', (_label, text, expected) => {
    // Assess
    expect(findings(text)).toEqual(expected);
  });

  it('control characters in comments are fine', () => {
    // Assess
    expect(findings(`${USERS}  a: { roles: [app] } # a bell \u0007 here\n`)).toEqual([]);
  });
});

describe('the alias-key policy against etcd', () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcdCluster();
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('validate and apply exit 1 at the alias key, and alice is not created', () => {
    // Prepare
    const file = join(cluster.dir, 'alias-key.yaml');
    writeFileSync(file, ALIAS_KEY);
    // Act
    const validate = warden(cluster, ['validate', file]);
    const apply = warden(cluster, ['apply', file, '--yes']);
    const users = warden(cluster, ['import']);
    // Assess
    expect(validate.code).toBe(1);
    expect(validate.stdout + validate.stderr).toContain(
      `${file}:7:6: error: an anchor or alias as a mapping key`,
    );
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain(`${file}:7:6: error: an anchor or alias as a mapping key`);
    expect(users.code).toBe(0);
    expect(users.stdout).not.toContain('alice');
  });
});
