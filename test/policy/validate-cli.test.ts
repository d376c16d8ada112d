// `etcd-warden validate` on the built bundle: the examples, the output formats, and hostile input.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MAX_DIAGNOSTICS } from '../../shared/policy/load.js';
import { policySchema } from '../../shared/policy/schema.js';
import { MAX_POLICY_BYTES, MAX_POLICY_NODES } from '../../shared/policy/source.js';
import { REPO, runCli } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const examples = readdirSync(join(REPO, 'examples')).filter((f) => f.endsWith('.yaml'));

describe('validate: examples', () => {
  it('ships at least the three documented examples', () => {
    expect(examples).toEqual(
      expect.arrayContaining([
        'calico-kubernetes-simple.yaml',
        'calico-advanced.yaml',
        'members-and-templates.yaml',
      ]),
    );
  });

  it.each(examples)('%s validates clean: exit 0, one verdict line; the summary with --summary', (name) => {
    const run = runCli(['validate', `examples/${name}`]);
    const summarized = runCli(['validate', `examples/${name}`, '--summary']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      new RegExp(
        `^examples/${escapeRegExp(name)}: valid \\(\\d+ roles?, \\d+ users?, \\d+ members?, \\d+ templates?\\)\n$`,
      ),
    );
    expect(summarized.code).toBe(0);
    expect(summarized.stdout.startsWith(run.stdout)).toBe(true);
    expect(summarized.stdout).toMatch(/^ {2}user root: root$/m);
  });

  it('a 10,000-role policy: still one line, counted', () => {
    // Prepare
    const file = join(dir, 'ten-thousand.yaml');
    const roles = Array.from(
      { length: 10_000 },
      (_, i) => `  r${i}:\n    - { prefix: /r${i}/, access: read }\n`,
    );
    writeFileSync(file, `version: 1\nroles:\n${roles.join('')}users:\n  root:\n    roles: [root]\n`);
    // Act
    const run = runCli(['validate', file]);
    // Assess
    expect(run.stdout).toBe(`${file}: valid (10000 roles, 1 user, 0 members, 0 templates)\n`);
  });

  it('an invalid policy: its findings, then one line that counts them', () => {
    // Prepare
    const file = join(dir, 'counted.yaml');
    writeFileSync(
      file,
      'version: 1\nroles:\n  a: [{ prefix: /a, access: read }]\nusers:\n  x: { roles: [nope] }\n',
    );
    // Act
    const run = runCli(['validate', file]);
    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(`${file}: invalid: 2 errors, 1 warning`);
  });

  it.each(examples)('%s passes the shipped JSON Schema (checked by a plain Ajv)', (name) => {
    const schema = JSON.parse(readFileSync(join(REPO, 'schema/etcd-warden.schema.json'), 'utf8'));
    const validate = new Ajv({ strict: true }).compile(schema);
    expect(
      validate(parse(readFileSync(join(REPO, 'examples', name), 'utf8'))),
      JSON.stringify(validate.errors),
    ).toBe(true);
  });

  it('the shipped schema file is the one the validator uses', () => {
    const shipped = JSON.parse(readFileSync(join(REPO, 'schema/etcd-warden.schema.json'), 'utf8'));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(policySchema)));
  });
});

describe('validate: output', () => {
  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, 'version: 1\nusers:\n  root:\n    roles: [root]\n  app:\n    roles: [nope]\n');

  it('prints FILE:LINE:COL: error: text [rule] and exits 1', () => {
    const run = runCli(['validate', broken]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      `${broken}:6:13: error: role "nope" is not defined [undefined-role]\n${broken}: invalid: 1 error, 0 warnings\n`,
    );
  });

  it('--format json gives the diagnostics to machines', () => {
    const run = runCli(['validate', broken, '--format', 'json']);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ file: broken, valid: false });
    expect(report.diagnostics).toEqual([
      {
        file: broken,
        line: 6,
        column: 13,
        severity: 'error',
        rule: 'undefined-role',
        message: 'role "nope" is not defined',
      },
    ]);
  });

  it('warnings only: prints FILE:LINE:COL: warning: text [rule], says valid, and exits 0', () => {
    // Prepare
    const file = join(dir, 'warnings.yaml');
    writeFileSync(
      file,
      'version: 1\nroles:\n  app:\n    - { prefix: /app, access: read }\nusers:\n  root:\n    roles: [root]\n  app:\n    roles: [app]\n',
    );
    // Act
    const run = runCli(['validate', file]);
    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^${escapeRegExp(file)}:4:17: warning: prefix "/app" does not end in "/": .* \\[prefix-slash\\]$`,
      ),
    );
    expect(lines[1]).toBe(`${file}: valid (1 role, 2 users, 0 members, 0 templates) with 1 warning`);
  });

  it('past the cap, says how many warnings it listed and that the rest are counted', () => {
    // Prepare: more prefix-slash warnings than are listed, and nothing else.
    const file = join(dir, 'many-warnings.yaml');
    const roles = Array.from(
      { length: 1200 },
      (_, i) => `  r${i}:\n    - { prefix: /r${i}, access: read }\n`,
    );
    writeFileSync(file, `version: 1\nroles:\n${roles.join('')}users:\n  root:\n    roles: [root]\n`);
    // Act
    const run = runCli(['validate', file]);
    // Assess
    const lines = run.stdout.trimEnd().split('\n');
    const verdict = lines.find((l) => l.startsWith(`${file}: valid`));
    expect(run.code).toBe(0);
    expect(lines.filter((l) => l.endsWith('[prefix-slash]'))).toHaveLength(1000);
    expect(lines[1000]).toMatch(/warning: … and 200 more findings from here on.*\[too-many-findings\]$/);
    expect(verdict).toBe(
      `${file}: valid (1200 roles, 1 user, 0 members, 0 templates) with 1000 warnings listed, and more counted above`,
    );
  });

  it('takes --policy as well as the positional file', () => {
    expect(runCli(['validate', '--policy', 'examples/calico-advanced.yaml']).code).toBe(0);
  });
});

describe('validate: bad input never crashes', () => {
  const cases: [string, string | Buffer, RegExp][] = [
    ['invalid YAML', 'version: 1\nroles: {a: [}\n', /:2:13: error: .* \[yaml-syntax\]$/],
    [
      'wrong types',
      'version: 1\nusers: [root]\n',
      /:2:8: error: users must be a mapping, not a list \[schema-type\]$/,
    ],
    [
      'unknown fields',
      'version: 1\nusers:\n  root:\n    roles: [root]\n    password: x\n',
      /:5:5: error: unknown field "password".*\[unknown-field\]$/,
    ],
    [
      'binary bytes',
      Buffer.from([0x76, 0x3a, 0x20, 0xff, 0xfe, 0x00, 0x01, 0x80]),
      /:1:1: error: the policy is not UTF-8 text.*\[not-text\]$/,
    ],
    [
      'NUL bytes in UTF-8',
      'version: 1\x00\n',
      /:1:11: error: the policy is not UTF-8 text \(binary bytes\) \[not-text\]$/,
    ],
    [
      'deep flow nesting',
      `version: 1\nx: ${'['.repeat(100_000)}`,
      /:2:68: error: nesting deeper than 64 levels \[too-deep\]$/,
    ],
    [
      'deep block nesting',
      `version: 1\nx:\n${Array.from({ length: 2500 }, (_, i) => `${' '.repeat(i)}- `).join('\n')}x\n`,
      /error: nested deeper than 256 columns of indentation and - \? : indicators \[too-deep\]$/,
    ],
    [
      'deep nesting through complex keys',
      `version: 1\nx: y\n${'? '.repeat(50_000)}x\n`,
      /:3:257: error: nested deeper than 256 columns of indentation and - \? : indicators \[too-deep\]$/,
    ],
    [
      'deep nesting through complex keys with anchors and tags between',
      `version: 1\n${'? &a !t '.repeat(20_000)}x\n`,
      /:2:\d+: error: nested deeper than 256 columns .*\[too-deep\]$/,
    ],
    [
      'a 4 MB file of garbage, just under the cap',
      `version: 1\njunk: "${'x'.repeat(4 * 1024 * 1024 - 100)}`,
      /:2:\d+: error: Missing closing "quote \[yaml-syntax\]$/,
    ],
    [
      'an alias bomb',
      `version: 1\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n`,
      // The 101st alias, the 83rd on line 5, is the one over the guard's count.
      /:5:\d+: error: more than 100 aliases \(\*name\), more than any policy needs \[too-many-aliases\]$/,
    ],
    ['an empty file', '', /:1:1: error: the policy is empty.*\[schema-required\]$/],
    [
      'a scalar document',
      'hello\n',
      /:1:1: error: the policy must be a mapping, not string "hello" \[schema-type\]$/,
    ],
  ];

  it.each(cases)('%s: one clear line, exit 1', (name, content, expected) => {
    const file = join(dir, `${name.replaceAll(' ', '-')}.yaml`);
    writeFileSync(file, content);
    const run = runCli(['validate', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines, run.stdout.slice(0, 500)).toHaveLength(2);
    expect(lines[0]?.startsWith(`${file}:`)).toBe(true);
    expect(lines[0]).toMatch(expected);
    expect(lines[1]).toBe(`${file}: invalid: 1 error, 0 warnings`);
  });

  it('a private key passed as the policy: refused without quoting any of it', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const file = join(dir, 'key.pem');
    writeFileSync(file, pem);
    for (const args of [
      ['validate', file],
      ['validate', file, '--format', 'json'],
    ]) {
      const run = runCli(args);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('(PEM data, not shown)');
      const output = run.stdout + run.stderr;
      for (const line of pem.split('\n').filter((l) => l && !l.startsWith('-----'))) {
        for (let i = 0; i + 16 <= line.length; i += 8) expect(output).not.toContain(line.slice(i, i + 16));
      }
    }
  });

  it('long values are quoted short, so a message stays one readable line', () => {
    const file = join(dir, 'long.yaml');
    writeFileSync(file, `version: 1\nauth: ${'x'.repeat(5000)}\n`);
    const run = runCli(['validate', file]);
    expect(run.code).toBe(1);
    expect(run.stdout.length).toBeLessThan(300);
    expect(run.stdout).toContain('…');
  });

  it('a missing file: one line on stderr, exit 1', () => {
    const run = runCli(['validate', join(dir, 'nope.yaml')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`etcd-warden: cannot read policy ${join(dir, 'nope.yaml')}: no such file\n`);
  });

  it(`the largest policy under the caps with a finding on every user: exit 1 within 20 s in at most 1 GB, the first ${MAX_DIAGNOSTICS} placed, the rest counted`, () => {
    // Prepare: each user is three nodes (`user-i:`, `roles:`, `[`), about 3.3 MB in all.
    const file = join(dir, 'megabytes-of-findings.yaml');
    const parts = ['version: 1\nusers:\n  root:\n    roles: [root]\n'];
    let size = parts[0]?.length ?? 0;
    const users = Math.floor((MAX_POLICY_NODES - 5) / 3);
    for (let i = 0; i < users && size < MAX_POLICY_BYTES - 100; i++) {
      const user = `  user-${i}:\n    roles: [undefined-role]\n`;
      parts.push(user);
      size += user.length;
    }
    writeFileSync(file, parts.join(''));
    const start = performance.now();
    // Act
    // A heap capped at 1 GB: past it node aborts, and the exit code says so.
    const run = runCli(['validate', file], {
      timeoutMs: 60_000,
      env: { NODE_OPTIONS: '--max-old-space-size=1024' },
    });
    // Assess: before the placement was linear, this ran for over ten minutes.
    const seconds = (performance.now() - start) / 1000;
    expect(run.code).toBe(1);
    expect(seconds).toBeLessThan(20);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(MAX_DIAGNOSTICS + 2);
    expect(lines.at(-1)).toBe(
      `${file}: invalid: ${MAX_DIAGNOSTICS} errors, 0 warnings listed, and more counted above`,
    );
    expect(lines[0]).toBe(`${file}:6:13: error: role "undefined-role" is not defined [undefined-role]`);
    expect(lines[MAX_DIAGNOSTICS - 1]).toBe(
      `${file}:${6 + 2 * (MAX_DIAGNOSTICS - 1)}:13: error: role "undefined-role" is not defined [undefined-role]`,
    );
    expect(lines[MAX_DIAGNOSTICS]).toMatch(
      new RegExp(
        `^${escapeRegExp(file)}:${6 + 2 * MAX_DIAGNOSTICS}:13: error: … and \\d+ more findings from here on, not shown \\(\\d+ errors, 0 warnings\\): only the first ${MAX_DIAGNOSTICS} are listed \\[too-many-findings\\]$`,
      ),
    );
  }, 90_000);

  it('a file over the size limit: refused before it is read', () => {
    const file = join(dir, 'huge.yaml');
    writeFileSync(file, Buffer.alloc(5 * 1024 * 1024, 0x20));
    const run = runCli(['validate', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      `${file}:1:1: error: the policy is 5.0 MiB, over the 4 MiB limit [file-too-large]\n${file}: invalid: 1 error, 0 warnings\n`,
    );
  });
});
