// All findings in one pass: one structural error and five meaning-level errors elsewhere are all
// reported, each at its line and column, by the CLI and as Action annotations; a rule that would
// only echo the structural error (the role it makes unreadable, called undefined) stays silent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../shared/policy/load.js';
import { type ActionHome, actionHome } from '../action/run-action.js';
import { runCli } from '../support/cli.js';
import { scratch } from '../support/openssl.js';

const POLICY = `version: 1
auth: enabled
roles:
  app:
    - { prefix: /app/, access: readwrit }
  both:
    - { prefix: /b/, key: /b/k, access: read }
  backwards:
    - { range: { from: /z/, to: /a/ }, access: read }
users:
  alice:
    roles: [app, ghost]
  etcd-1:
    roles: [both, backwards]
members:
  etcd-1:
    hosts: [10.0.0.1]
`;

const EXPECTED = [
  ['2:7', 'error', 'auth-root'],
  ['5:32', 'error', 'schema-enum'],
  ['7:7', 'error', 'permission-target'],
  ['9:16', 'error', 'range-order'],
  ['12:18', 'error', 'undefined-role'],
  ['16:3', 'error', 'member-user-collision'],
];

describe('one structural error and five meaning-level errors', () => {
  let home: ActionHome;
  let work: ReturnType<typeof scratch>;

  beforeAll(() => {
    work = scratch();
    work.file('policy.yaml', POLICY);
    home = actionHome();
    home.write('policy.yaml', POLICY);
  });

  afterAll(() => {
    work?.remove();
    home?.remove();
  });

  it('are all listed by validate, in file order at their lines and columns', () => {
    // Act
    const run = runCli(['validate', 'policy.yaml', '--format', 'json'], { cwd: work.dir });
    // Assess
    expect(run.code).toBe(1);
    const { diagnostics } = JSON.parse(run.stdout) as {
      diagnostics: { line: number; column: number; severity: string; rule: string }[];
    };
    expect(diagnostics.map((d) => [`${d.line}:${d.column}`, d.severity, d.rule])).toEqual(EXPECTED);
  });

  it('are all annotated by the Action', async () => {
    // Act
    const run = await home.run({ command: 'validate', policy: 'policy.yaml' });
    // Assess
    expect(run.code).toBe(1);
    const annotated = run.annotations
      .filter((a) => a.startsWith('::error file='))
      .map((a) => {
        const m = /line=(\d+),col=(\d+)::.*\[([a-z-]+)\]$/.exec(a);
        return [`${m?.[1]}:${m?.[2]}`, 'error', m?.[3]];
      });
    expect(annotated).toEqual(EXPECTED);
  });

  it('skips only what the structural error makes meaningless', () => {
    // Prepare: the same policy with its one structural error fixed
    work.file('fixed.yaml', POLICY.replace('readwrit', 'readwrite'));
    // Act
    const run = runCli(['validate', 'fixed.yaml', '--format', 'json'], { cwd: work.dir });
    // Assess: the five stay, nothing new appears
    const { diagnostics } = JSON.parse(run.stdout) as { diagnostics: { rule: string }[] };
    expect(diagnostics.map((d) => d.rule)).toEqual(
      EXPECTED.map(([, , rule]) => rule).filter((r) => r !== 'schema-enum'),
    );
  });
});

describe('parts a structural error leaves out', () => {
  const rulesOf = (text: string) => loadPolicy(text, 'p.yaml').diagnostics.map((d) => `${d.line}:${d.rule}`);

  it('a role that is not a list: users holding it are not told it is undefined', () => {
    // Act
    const found = rulesOf(
      'version: 1\nroles:\n  app: /app/\nusers:\n  root: {roles: [root]}\n  a: {roles: [app, ghost]}\n',
    );
    // Assess
    expect(found).toEqual(['3:schema-type', '6:undefined-role']);
  });

  it('a broken root user: no auth-root finding besides it', () => {
    // Act
    const found = rulesOf('version: 1\nauth: enabled\nusers:\n  root: {roles: root}\n');
    // Assess
    expect(found).toEqual(['4:schema-type']);
  });

  it('broken presets: no role is called undefined, since a preset may define it', () => {
    // Act
    const found = rulesOf(
      'version: 1\npresets: [calicoo]\nusers:\n  root: {roles: [root]}\n  n: {roles: [calico-node]}\n',
    );
    // Assess
    expect(found).toEqual(['2:schema-enum']);
  });

  it('a broken CA: certificate TTLs are not judged against defaults', () => {
    // Act
    const found = rulesOf(
      'version: 1\nca: {maxTtl: forever}\nusers:\n  root: {roles: [root]}\n  a: {roles: [], certificate: {ttl: 9000h}}\n',
    );
    // Assess
    expect(found).toEqual(['2:invalid-duration']);
  });

  it('the document itself a list: only that', () => {
    // Assess
    expect(rulesOf('- version: 1\n')).toEqual(['1:schema-type']);
  });
});
