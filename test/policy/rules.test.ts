// Every rule, tripped by a policy written for it: the rule id, the severity, and the line and
// column of the offending text (found in the policy itself, marked by `at`).
import { describe, expect, it } from 'vitest';
import { loadPolicy, MAX_DIAGNOSTICS } from '../../shared/policy/load.js';
import { RULES } from '../../shared/policy/rules.js';
import { MAX_ALIASES, MAX_POLICY_NODES } from '../../shared/policy/source.js';

const ROOT_USER = 'users:\n  root:\n    roles: [root]\n';

interface Case {
  rule: string;
  severity: 'error' | 'warning';
  yaml: string;
  /** Text whose first character the finding points at; `nth` picks a later occurrence. */
  at: string;
  nth?: number;
  /** What the message must say, where its wording is part of the rule. */
  says?: RegExp;
}

const cases: Case[] = [
  { rule: 'yaml-syntax', severity: 'error', yaml: `version: 1\n${ROOT_USER}roles: {a: [}\n`, at: '}' },
  { rule: 'yaml-syntax', severity: 'error', yaml: `version: 1\n---\nversion: 1\n`, at: '---' },
  {
    rule: 'yaml-alias-key',
    severity: 'error',
    yaml: `version: 1\nusers:\n  root: {roles: [root]}\n  a: &x {roles: []}\n  *x : {roles: []}\n`,
    at: '*x :',
  },
  {
    rule: 'yaml-merge-key',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}  <<: {roles: []}\n`,
    at: '<<',
  },
  {
    rule: 'yaml-tag',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}  a: {roles: [!!str x]}\n`,
    at: 'x]',
  },
  {
    rule: 'control-character',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}  a: {roles: ["x\\u0007"]}\n`,
    at: '"x',
  },
  {
    rule: 'not-text',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a\u0000b: []\n`,
    at: '\u0000',
  },
  { rule: 'too-deep', severity: 'error', yaml: `version: 1\nx: ${'['.repeat(100)}`, at: '[', nth: 64 },
  {
    // Complex keys nest on one line; 2 columns of indentation, then the 128th `? ` crosses 256.
    rule: 'too-deep',
    severity: 'error',
    yaml: `version: 1\nx:\n  ${'? '.repeat(200)}a\n`,
    at: '?',
    nth: 127,
    says: /nested deeper than 256 columns/,
  },
  {
    // Counted from the indicators that open a node: five `:` and two `[` before the list's commas.
    rule: 'too-many-nodes',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}presets: [${'a,'.repeat(MAX_POLICY_NODES)}a]\n`,
    at: ',',
    nth: MAX_POLICY_NODES - 7,
    says: /more than 250,000 YAML nodes/,
  },
  {
    rule: 'too-many-aliases',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  base: &p []\n${Array.from({ length: MAX_ALIASES + 1 }, (_, i) => `  r${i}: *p\n`).join('')}`,
    at: '*p',
    nth: MAX_ALIASES,
  },
  // A comment first, so that the policy's own start (where these point) is not line 1, column 1.
  { rule: 'schema-required', severity: 'error', yaml: `# no version\n${ROOT_USER}`, at: 'users' },
  {
    rule: 'schema-required',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}members:\n  m:\n    ttl: 24h\n`,
    at: 'ttl',
  },
  { rule: 'schema-type', severity: 'error', yaml: `version: 1\n${ROOT_USER}roles: [a, b]\n`, at: '[a, b]' },
  {
    rule: 'schema-enum',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { prefix: /a/, access: rw }\n`,
    at: 'rw',
  },
  {
    rule: 'schema-enum',
    severity: 'error',
    yaml: `version: 1\npresets: [calico, openshift]\n${ROOT_USER}`,
    at: 'openshift',
  },
  { rule: 'schema-version', severity: 'error', yaml: `version: 2\n${ROOT_USER}`, at: '2' },
  {
    rule: 'schema-empty',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}members:\n  etcd-1:\n    hosts: []\n`,
    at: '[]',
  },
  {
    rule: 'unknown-field',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}    password: hunter2\n`,
    at: 'password',
  },
  { rule: 'unknown-field', severity: 'error', yaml: `version: 1\nauht: enabled\n${ROOT_USER}`, at: 'auht' },
  {
    rule: 'duplicate-name',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}  root:\n    roles: [root]\n`,
    at: 'root:',
    nth: 1,
  },
  {
    rule: 'duplicate-name',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a: []\n  b: []\n  a: []\n`,
    at: 'a: []',
    nth: 1,
  },
  {
    rule: 'duplicate-name',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}members:\n  m:\n    hosts: [10.0.0.1]\n  m:\n    hosts: [10.0.0.2]\n`,
    at: 'm:',
    nth: 1,
    says: /^member "m" is declared twice \(first at line 6\)$/,
  },
  {
    rule: 'duplicate-name',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}templates:\n  t:\n    user: a-{instanceId}\n    roles: []\n  t:\n    user: b-{instanceId}\n    roles: []\n`,
    at: 't:\n    user: b',
    says: /^template "t" is declared twice \(first at line 6\)$/,
  },
  {
    rule: 'duplicate-key',
    severity: 'error',
    yaml: `version: 1\nauth: enabled\n${ROOT_USER}auth: disabled\n`,
    at: 'auth',
    nth: 1,
  },
  {
    rule: 'invalid-name',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}  "calico node":\n    roles: []\n`,
    at: '"calico node"',
  },
  {
    rule: 'invalid-name',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  ${'r'.repeat(65)}: []\n`,
    at: 'rrr',
  },
  {
    rule: 'reserved-name',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  root:\n    - { prefix: /a/, access: read }\n`,
    at: 'root:',
    nth: 1,
  },
  {
    rule: 'reserved-name',
    severity: 'error',
    yaml: `version: 1\napis: [v3, v2]\n${ROOT_USER}roles:\n  guest:\n    - { prefix: /a/, access: read }\n`,
    at: 'guest:',
    says: /guest/,
  },
  {
    rule: 'v2-permission',
    severity: 'error',
    yaml: `version: 1\napis: [v2]\n${ROOT_USER}roles:\n  app:\n    - { range: { from: /a, to: /b }, access: read }\n`,
    at: 'range',
    says: /v2/,
  },
  {
    rule: 'undefined-role',
    severity: 'error',
    yaml: `version: 1\nusers:\n  root:\n    roles: [root]\n  app:\n    roles: [app-role]\n`,
    at: 'app-role',
  },
  {
    rule: 'undefined-role',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}  cni:\n    roles: [calico-cni]\n`,
    at: 'calico-cni',
  },
  {
    rule: 'permission-target',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { access: read }\n`,
    at: '{ access',
  },
  {
    rule: 'permission-target',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { prefix: /a/, key: /b, access: read }\n`,
    at: '{ prefix',
  },
  {
    rule: 'range-order',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { range: { from: /b/, to: /a/ }, access: read }\n`,
    at: '{ from',
  },
  {
    rule: 'range-order',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { range: { from: /a/, to: /a/ }, access: read }\n`,
    at: '{ from',
  },
  {
    rule: 'permission-conflict',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { prefix: /a/, access: read }\n    - { range: { from: /a/, to: /a0 }, access: write }\n`,
    at: 'write',
  },
  {
    rule: 'prefix-slash',
    severity: 'warning',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { prefix: /calico, access: read }\n`,
    at: '/calico',
  },
  {
    rule: 'whole-keyspace',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { prefix: /, access: readwrite }\n`,
    at: '/,',
  },
  {
    rule: 'whole-keyspace',
    severity: 'warning',
    yaml: `version: 1\n${ROOT_USER}roles:\n  backup:\n    - { prefix: "", access: read }\n`,
    at: '""',
  },
  {
    // From the first key ("\0") to the end: the empty prefix written as a range.
    rule: 'whole-keyspace',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { range: { from: "\\0" }, access: write }\n`,
    at: '{ from',
    says: /write the whole key space \(range \["\\u0000", end of key space\)\)/,
  },
  {
    rule: 'whole-keyspace',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { range: { from: "\\0", to: "" }, access: readwrite }\n`,
    at: '{ from',
  },
  {
    // Every key under "/" and more: as wide as prefix "/".
    rule: 'whole-keyspace',
    severity: 'warning',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { range: { from: "!", to: "1" }, access: read }\n`,
    at: '{ from',
  },
  {
    rule: 'empty-key',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { key: "", access: read }\n`,
    at: '""',
  },
  {
    rule: 'empty-key',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { range: { from: "", to: /b/ }, access: read }\n`,
    at: '{ from',
    says: /from: "\\0"/,
  },
  {
    // Meant as the whole key space; etcd would grant nothing at all.
    rule: 'empty-key',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { range: { from: "", to: "" }, access: read }\n`,
    at: '{ from',
  },
  {
    rule: 'redundant-permission',
    severity: 'warning',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { key: /a/x, access: read }\n    - { prefix: /a/, access: readwrite }\n`,
    at: '{ key',
  },
  {
    rule: 'redundant-permission',
    severity: 'warning',
    yaml: `version: 1\n${ROOT_USER}roles:\n  a:\n    - { prefix: /a/, access: read }\n    - { range: { from: /a/b, to: /a/c }, access: read }\n`,
    at: '{ range',
  },
  { rule: 'auth-root', severity: 'error', yaml: `version: 1\nauth: enabled\nusers: {}\n`, at: 'enabled' },
  {
    rule: 'auth-root',
    severity: 'error',
    yaml: `version: 1\nusers:\n  root:\n    roles: []\n`,
    at: '[]',
  },
  {
    rule: 'auth-root',
    severity: 'error',
    yaml: `# auth is on by default\nversion: 1\nusers:\n  app:\n    roles: []\n`,
    at: 'version',
  },
  {
    rule: 'root-grant',
    severity: 'warning',
    yaml: `version: 1\n${ROOT_USER}  app:\n    roles: [root]\n`,
    at: 'root]',
    nth: 1,
    says: /kube-apiserver needs it only because compaction on the v3 API is allowed to root.*acknowledge: \[root-grant\]/,
  },
  {
    rule: 'member-user-collision',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}  etcd-1:\n    roles: []\nmembers:\n  etcd-1:\n    hosts: [10.0.0.1]\n`,
    at: 'etcd-1',
    nth: 1,
  },
  {
    rule: 'invalid-host',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}members:\n  m:\n    hosts: [10.0.0.1, 10.0.0.256]\n`,
    at: '10.0.0.256',
  },
  {
    rule: 'invalid-host',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}members:\n  m:\n    hosts: [bad_host.example]\n`,
    at: 'bad_host',
  },
  {
    rule: 'invalid-duration',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}members:\n  m:\n    hosts: [m1]\n    ttl: 1 year\n`,
    at: '1 year',
  },
  {
    rule: 'invalid-duration',
    severity: 'error',
    yaml: `version: 1\nca:\n  validity: 0h\n${ROOT_USER}`,
    at: '0h',
  },
  {
    rule: 'invalid-serial',
    severity: 'error',
    yaml: `version: 1\nca:\n  revoked: [xyz]\n${ROOT_USER}`,
    at: 'xyz',
  },
  {
    rule: 'ttl-limit',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}  app:\n    roles: []\n    certificate:\n      ttl: 9000h\n`,
    at: '9000h',
  },
  {
    rule: 'ttl-limit',
    severity: 'error',
    yaml: `version: 1\nca:\n  validity: 100h\n  maxTtl: 200h\n${ROOT_USER}`,
    at: '200h',
  },
  {
    rule: 'ttl-limit',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}members:\n  m:\n    hosts: [m1]\n    ttl: 9000h\n`,
    at: '9000h',
    says: /above the policy's maximum/,
  },
  {
    rule: 'ttl-limit',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}templates:\n  t:\n    user: t-{instanceId}\n    roles: []\n    certificate:\n      ttl: 9000h\n`,
    at: '9000h',
    says: /above the policy's maximum/,
  },
  {
    // With ca.maxTtl unreadable (reported on its own), the CA's validity still bounds a TTL.
    rule: 'ttl-limit',
    severity: 'error',
    yaml: `version: 1\nca:\n  validity: 100h\n  maxTtl: 0h\n${ROOT_USER}members:\n  m:\n    hosts: [m1]\n    ttl: 200h\n`,
    at: '200h',
    says: /outlives the CA/,
  },
  {
    rule: 'requester-pattern',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}  app:\n    roles: []\n    certificate:\n      requesters: ["arn:aws:iam::12345:role/app"]\n`,
    at: '"arn',
  },
  {
    rule: 'requester-pattern',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}  app:\n    roles: []\n    certificate:\n      requesters: ["arn:aws:iam::123456789012:role/*"]\n`,
    at: '"arn',
  },
  {
    rule: 'requester-pattern',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}  app:\n    roles: []\n    certificate:\n      requesters: ["arn:aws:sts::123456789012:assumed-role/r/{instanceId}"]\n`,
    at: '"arn',
  },
  {
    rule: 'template-instance-id',
    severity: 'error',
    yaml: `version: 1\npresets: [calico]\n${ROOT_USER}templates:\n  node:\n    user: calico-node\n    roles: [calico-node]\n`,
    at: 'calico-node\n',
  },
  {
    rule: 'preset-override',
    severity: 'warning',
    yaml: `version: 1\npresets: [calico]\n${ROOT_USER}roles:\n  calico-cni:\n    - { prefix: /calico/, access: readwrite }\n`,
    at: 'calico-cni',
  },
  {
    // One finding past the limit: the count stands where the first finding not shown would.
    rule: 'too-many-findings',
    severity: 'error',
    yaml: `version: 1\n${ROOT_USER}${Array.from({ length: MAX_DIAGNOSTICS + 1 }, (_, i) => `field${i}: x\n`).join('')}`,
    at: `field${MAX_DIAGNOSTICS}:`,
    says: /^… and 1 more finding/,
  },
];

function positionOf(text: string, needle: string, nth = 0): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i <= nth; i++) index = text.indexOf(needle, index + 1);
  if (index < 0) throw new Error(`test case error: ${JSON.stringify(needle)} not in policy`);
  const before = text.slice(0, index);
  return { line: before.split('\n').length, column: index - before.lastIndexOf('\n') };
}

describe('validation rules', () => {
  it.each(cases)('$rule ($severity) at $at', ({ rule, severity, yaml, at, nth, says }) => {
    // Prepare
    const expected = positionOf(yaml, at, nth);
    // Act
    const { diagnostics, policy } = loadPolicy(yaml, 'policy.yaml');
    // Assess
    const found = diagnostics.filter((d) => d.rule === rule);
    expect(found, JSON.stringify(diagnostics, null, 1)).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: 'policy.yaml', severity, ...expected });
    expect(found[0]?.message.length).toBeGreaterThan(10);
    if (says) expect(found[0]?.message).toMatch(says);
    if (severity === 'error') expect(policy).toBeUndefined();
  });

  it('has a case for every rule id except file-too-large (tested with a real file)', () => {
    const covered = new Set([...cases.map((c) => c.rule), 'file-too-large']);
    expect(Object.keys(RULES).filter((r) => !covered.has(r))).toEqual([]);
  });

  it('a valid policy yields no diagnostics and resolves defaults and presets', () => {
    const { diagnostics, policy } = loadPolicy(
      `version: 1\npresets: [calico]\n${ROOT_USER}  cni:\n    roles: [calico-cni]\n    certificate: { requesters: ["arn:aws:iam::123456789012:role/node"] }\n`,
      'p.yaml',
    );
    expect(diagnostics).toEqual([]);
    expect(policy?.auth).toBe('enabled');
    expect(policy?.users.cni?.certificate).toEqual({
      ttlSeconds: 720 * 3600,
      requesters: ['arn:aws:iam::123456789012:role/node'],
    });
    expect(Object.keys(policy?.roles ?? {})).toEqual(['calico-cni']);
    expect(policy?.ca).toMatchObject({
      key: 'ecdsa-p256',
      validitySeconds: 87600 * 3600,
      maxTtlSeconds: 8760 * 3600,
    });
  });

  it('acknowledge: [root-grant] silences the warning for that user only', () => {
    const yaml = `version: 1\n${ROOT_USER}  api:\n    roles: [root]\n    acknowledge: [root-grant]\n  other:\n    roles: [root]\n`;
    const { diagnostics } = loadPolicy(yaml, 'p.yaml');
    expect(diagnostics.map((d) => [d.rule, d.line])).toEqual([['root-grant', 9]]);
  });
});

// Requester patterns whose name starts with a wildcard match every role, user or session of an
// account: refused in users and templates alike, at the offending requester (the second of two, so
// the position has to be the requester's own and not its list's).
const LITERAL_START =
  /the name after role\/, user\/ \(and a path\) or assumed-role\/ must start with a literal character/;
const REFUSED_REQUESTERS: [string, RegExp][] = [
  ['arn:aws:iam::123456789012:role/*', LITERAL_START],
  ['arn:aws:iam::123456789012:role/**', LITERAL_START],
  ['arn:aws:iam::123456789012:role/?*', LITERAL_START],
  ['arn:aws:iam::123456789012:role/team/*', LITERAL_START],
  ['arn:aws:iam::123456789012:user/*/*', LITERAL_START],
  ['arn:aws:sts::123456789012:assumed-role/*/*', LITERAL_START],
  ['arn:aws:sts::123456789012:assumed-role/?x/y', LITERAL_START],
  ['arn:aws:iam::*:role/x', /every principal of an account or of every account/],
];
const ALLOWED_REQUESTERS: [string, undefined][] = [
  ['arn:aws:iam::123456789012:role/wild-*', undefined],
  ['arn:aws:iam::123456789012:role/*/admin', undefined],
  ['arn:aws:iam::123456789012:user/alice', undefined],
  ['arn:aws:sts::123456789012:assumed-role/k8s-node/*', undefined],
];
const HOLDERS = [
  {
    holder: 'user',
    yaml: (requester: string) =>
      `version: 1\n${ROOT_USER}  app:\n    roles: []\n    certificate:\n      requesters:\n        - "arn:aws:iam::123456789012:role/app-runner"\n        - "${requester}"\n`,
  },
  {
    holder: 'template',
    yaml: (requester: string) =>
      `version: 1\n${ROOT_USER}templates:\n  node:\n    user: node-{instanceId}\n    roles: []\n    certificate:\n      requesters:\n        - "arn:aws:sts::123456789012:assumed-role/k8s-node/{instanceId}"\n        - "${requester}"\n`,
  },
];
const combine = <T>(requesters: [string, T][]) =>
  HOLDERS.flatMap(({ holder, yaml }) =>
    requesters.map(([requester, says]) => ({
      holder,
      // The account is always the same: the title shows the rest, untruncated.
      label: requester.replace(/^arn:aws:(iam|sts)::123456789012:/, ''),
      requester,
      says,
      yaml: yaml(requester),
    })),
  );

describe('requester-pattern: a name that starts with a wildcard', () => {
  it.each(combine(REFUSED_REQUESTERS))('refuses $label in a $holder', ({ requester, says, yaml }) => {
    // Prepare
    const expected = positionOf(yaml, `"${requester}"`);
    // Act
    const { diagnostics, policy } = loadPolicy(yaml, 'policy.yaml');
    // Assess
    const found = diagnostics.filter((d) => d.rule === 'requester-pattern');
    expect(found, JSON.stringify(diagnostics, null, 1)).toHaveLength(1);
    expect(found[0]).toMatchObject({ file: 'policy.yaml', severity: 'error', ...expected });
    expect(found[0]?.message).toContain(JSON.stringify(requester));
    expect(found[0]?.message).toMatch(says);
    expect(policy).toBeUndefined();
  });

  it.each([
    ...combine(ALLOWED_REQUESTERS),
    // A template binds the session to the instance: the role is literal, the session need not be.
    ...combine([['arn:aws:sts::123456789012:assumed-role/k8s-node/{instanceId}', undefined]]).filter(
      (c) => c.holder === 'template',
    ),
  ])('allows $label in a $holder', ({ yaml }) => {
    // Act
    const { diagnostics, policy } = loadPolicy(yaml, 'policy.yaml');
    // Assess
    expect(diagnostics, JSON.stringify(diagnostics, null, 1)).toEqual([]);
    expect(policy).toBeDefined();
  });
});

describe('the guard before the parsers', () => {
  it('does not count brackets, aliases or indicators inside comments', () => {
    const comments = Array.from({ length: 300 }, (_, i) => `# [unbalanced ${i}: *x, - ? {\n`).join('');
    const { diagnostics, policy } = loadPolicy(`${comments}version: 1\n${ROOT_USER}`, 'policy.yaml');
    expect(diagnostics).toEqual([]);
    expect(Object.keys(policy?.users ?? {})).toEqual(['root']);
  });

  it('takes a leading --- after comments as the one document, and refuses a second at once', () => {
    expect(loadPolicy(`# policy\n---\nversion: 1\n${ROOT_USER}`, 'p.yaml').diagnostics).toEqual([]);
    const second = loadPolicy(`version: 1\n${ROOT_USER}---\n${'x: 1\n---\n'.repeat(1000)}`, 'p.yaml');
    expect(second.diagnostics).toEqual([
      expect.objectContaining({
        line: 5,
        column: 1,
        rule: 'yaml-syntax',
        message: 'expected one YAML document, found several',
      }),
    ]);
  });
});
