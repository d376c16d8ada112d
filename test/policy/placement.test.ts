// Where findings are placed, and what placing them costs. A policy the fast parser has read gets
// its findings placed from the entries that hold them (BlockLocator), which must agree with the
// exact path's placement (PolicySource, the whole text parsed with positions) or refuse; at most
// MAX_DIAGNOSTICS findings are listed; and placing many findings costs about as much per finding
// however many there are.
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { BlockLocator } from '../../shared/policy/block-locator.js';
import { loadPolicy, loadWithPositions, MAX_DIAGNOSTICS } from '../../shared/policy/load.js';
import { quickParse } from '../../shared/policy/quick-parse.js';
import type { RawPolicy } from '../../shared/policy/raw.js';
import { checkRules } from '../../shared/policy/rules.js';
import { PolicySource } from '../../shared/policy/source.js';
import { checkStructure } from '../../shared/policy/structure.js';

const ROOT_USER = 'users:\n  root:\n    roles: [root]\n';

// Layouts the indentation scan must read right: each has findings in nested entries.
const layouts: [string, string][] = [
  [
    'comments, blank lines and a document marker',
    `---\n# policy\nversion: 1\n\n${ROOT_USER}  # the app\n  app:\n\n    roles: [nope]\nroles:\n  a:\n    # reads\n    - { prefix: /a, access: read }\n`,
  ],
  [
    'quoted keys',
    `version: 1\n"users":\n  'root':\n    roles: [root]\n  "app1":\n    roles: [nope]\n  'it''s':\n    "roles": [nope]\n`,
  ],
  [
    'a sequence at its key’s own indentation, permissions in block style',
    `version: 1\n${ROOT_USER}roles:\n  a:\n  - prefix: /a\n    access: read\n  - key: /b\n    acces: read\n`,
  ],
  ['CRLF line endings', `version: 1\r\n${ROOT_USER.replaceAll('\n', '\r\n')}  app:\r\n    roles: [nope]\r\n`],
  [
    'keys the core schema reads as numbers or booleans',
    `version: 1\n${ROOT_USER}  007:\n    roles: [nope]\n  1e3:\n    roles: [nope]\n  true:\n    roles: [nope]\n`,
  ],
  [
    'a mapping indented as a whole',
    `  version: 1\n  users:\n    root:\n      roles: []\n    app:\n      rolse: [x]\n`,
  ],
  ['a value written on the next line', `version: 1\n${ROOT_USER}  app:\n    roles:\n      [nope]\n`],
  [
    'block sequences: empty items, items over several lines, comments between them',
    `version: 1\n${ROOT_USER}  app:\n    roles:\n      - nope\n      # next\n      - also-nope\nroles:\n  x:\n    -\n    - \n    - prefix: /a\n      acces: read\n\n    - { key: /b, access: nope }\n`,
  ],
  [
    'a block sequence at its key’s own indentation, with an item that is a list',
    `version: 1\n${ROOT_USER}roles:\n  x:\n  - - nested\n  - prefix: /a/\n    access: red\n`,
  ],
];

function findingsOf(text: string) {
  const data = quickParse(text)?.data;
  const structural = checkStructure(data);
  return { data, findings: structural.length > 0 ? structural : checkRules(data as RawPolicy) };
}

describe('placing findings from the entries that hold them', () => {
  it.each(layouts)('%s: placed exactly where the whole parse places them', (_, text) => {
    // Prepare
    const { data, findings } = findingsOf(text);
    const exact = PolicySource.parse(text) as PolicySource;
    expect(data).toBeDefined();
    expect(findings.length).toBeGreaterThan(0);
    // Act
    const locator = new BlockLocator(text, data);
    const placed = findings.map((f) => locator.locate(f.path, f.part));
    // Assess
    expect(placed).toEqual(findings.map((f) => exact.locate(f.path, f.part)));
    expect(loadPolicy(text, 'p.yaml')).toEqual(loadWithPositions(text, 'p.yaml'));
  });

  it.each([['a flow mapping', `{version: 1, users: {root: {roles: [root]}, app: {roles: [nope]}}}\n`]])(
    '%s: refuses to guess, so the exact path places them',
    (_, text) => {
      // Prepare
      const { data, findings } = findingsOf(text);
      expect(findings.map((f) => f.rule)).toEqual(['undefined-role']);
      // Act
      const placed = new BlockLocator(text, data).locate(findings[0]?.path ?? [], 'value');
      // Assess
      expect(placed).toBeUndefined();
      expect(loadPolicy(text, 'p.yaml')).toEqual(loadWithPositions(text, 'p.yaml'));
    },
  );

  it('refuses an entry whose text and the fast parse disagree', () => {
    // Prepare: an empty flow key, which the two parsers name differently ("null" and "").
    const text = `version: 1\n${ROOT_USER}  app:\n    roles: []\n    certificate: {: 720h}\n`;
    const { data, findings } = findingsOf(text);
    expect(findings).toHaveLength(1);
    // Act
    const placed = new BlockLocator(text, data).locate(findings[0]?.path ?? [], 'key');
    // Assess: the exact path answers, with the exact parser's name for the key.
    expect(placed).toBeUndefined();
    expect(loadPolicy(text, 'p.yaml').diagnostics).toEqual(loadWithPositions(text, 'p.yaml').diagnostics);
  });
});

describe('placing findings with the whole text parsed', () => {
  it('a finding in the value of a repeated key points at the entry the data holds: the last', () => {
    // Prepare
    const text = `version: 1\n${ROOT_USER}  app:\n    roles: [fine]\n  app:\n    roles: [nope]\nroles:\n  fine: []\n`;
    // Act
    const { diagnostics } = loadPolicy(text, 'p.yaml');
    // Assess
    expect(diagnostics.map((d) => [d.rule, d.line, d.column])).toEqual([
      ['duplicate-name', 7, 3],
      ['undefined-role', 8, 13],
    ]);
  });
});

const unknownFields = (count: number, start = 0): string =>
  Array.from({ length: count }, (_, i) => `field${start + i}: x\n`).join('');
// Prefixes without their trailing "/" (a warning each), none a prefix of another.
const prefixWarnings = (count: number): string =>
  `roles:\n  a:\n${Array.from({ length: count }, (_, i) => `    - { prefix: /p${i}x, access: read }\n`).join('')}`;

describe(`at most ${MAX_DIAGNOSTICS} findings listed`, () => {
  it(`${MAX_DIAGNOSTICS} findings: all listed, no count`, () => {
    // Prepare
    const text = `version: 1\n${ROOT_USER}${unknownFields(MAX_DIAGNOSTICS)}`;
    // Act
    const { diagnostics } = loadPolicy(text, 'p.yaml');
    // Assess
    expect(diagnostics).toHaveLength(MAX_DIAGNOSTICS);
    expect(diagnostics.every((d) => d.rule === 'unknown-field')).toBe(true);
  });

  it('more: the first ones in file order, then one line counting the rest where they start', () => {
    // Prepare
    const text = `version: 1\n${ROOT_USER}${unknownFields(MAX_DIAGNOSTICS + 2500)}`;
    // Act
    const { diagnostics, policy } = loadPolicy(text, 'p.yaml');
    // Assess
    expect(policy).toBeUndefined();
    expect(diagnostics).toHaveLength(MAX_DIAGNOSTICS + 1);
    expect(diagnostics.slice(0, MAX_DIAGNOSTICS).map((d) => d.line)).toEqual(
      Array.from({ length: MAX_DIAGNOSTICS }, (_, i) => 5 + i),
    );
    expect(diagnostics.at(-1)).toEqual({
      file: 'p.yaml',
      line: 5 + MAX_DIAGNOSTICS,
      column: 1,
      severity: 'error',
      rule: 'too-many-findings',
      message: `… and 2500 more findings from here on, not shown (2500 errors, 0 warnings): only the first ${MAX_DIAGNOSTICS} are listed`,
    });
  });

  it('warnings only past the limit: the count is a warning, and the policy stays valid', () => {
    // Prepare
    const text = `version: 1\n${ROOT_USER}${prefixWarnings(MAX_DIAGNOSTICS + 10)}`;
    // Act
    const { diagnostics, policy } = loadPolicy(text, 'p.yaml');
    // Assess
    expect(policy?.roles.a?.permissions).toHaveLength(MAX_DIAGNOSTICS + 10);
    expect(diagnostics.at(-1)).toMatchObject({
      severity: 'warning',
      rule: 'too-many-findings',
      message: expect.stringContaining('10 more findings from here on, not shown (0 errors, 10 warnings)'),
    });
  });

  it('an error among the findings not shown: the count is an error, and there is no policy', () => {
    // Prepare
    const text = `version: 1\n${ROOT_USER}  app:\n    roles: [nope]\n${prefixWarnings(MAX_DIAGNOSTICS)}`;
    const late = `version: 1\n${prefixWarnings(MAX_DIAGNOSTICS)}${ROOT_USER}  app:\n    roles: [nope]\n`;
    // Act
    const early = loadPolicy(text, 'p.yaml');
    const hidden = loadPolicy(late, 'p.yaml');
    // Assess
    expect(early.diagnostics[0]).toMatchObject({ rule: 'undefined-role' });
    expect(early.diagnostics.at(-1)).toMatchObject({ severity: 'warning', rule: 'too-many-findings' });
    expect(hidden.diagnostics.some((d) => d.rule === 'undefined-role')).toBe(false);
    expect(hidden.diagnostics.at(-1)).toMatchObject({ severity: 'error', rule: 'too-many-findings' });
    expect(hidden.policy).toBeUndefined();
  });

  it('findings placed inside their entries are listed and counted as the exact path does', () => {
    // Prepare: each finding's cheap bound is its entry's line; only the first are placed exactly.
    const users = Array.from({ length: MAX_DIAGNOSTICS + 500 }, (_, i) => `  u${i}:\n    roles: [r, nope]\n`);
    const text = `version: 1\nroles:\n  r: []\n${ROOT_USER}${users.join('')}`;
    // Act
    const fast = loadPolicy(text, 'p.yaml');
    // Assess
    expect(fast.diagnostics[0]).toMatchObject({ rule: 'undefined-role', line: 8, column: 16 });
    expect(fast).toEqual(loadWithPositions(text, 'p.yaml'));
  });

  it('the exact path (here for a duplicate key) lists and counts the same way', () => {
    // Prepare
    const text = `version: 1\nversion: 1\n${ROOT_USER}${unknownFields(MAX_DIAGNOSTICS + 5)}`;
    // Act
    const { diagnostics } = loadPolicy(text, 'p.yaml');
    // Assess
    expect(diagnostics[0]).toMatchObject({ rule: 'duplicate-key', line: 2 });
    expect(diagnostics).toHaveLength(MAX_DIAGNOSTICS + 1);
    expect(diagnostics.at(-1)?.message).toMatch(/^… and 6 more findings/);
  });
});

function generatePolicy(users: number, roleOf: (i: number) => string): string {
  const out = ['version: 1', 'roles:'];
  for (let i = 0; i < users; i++) out.push(`  app-${i}:`, `    - { prefix: /apps/${i}/, access: readwrite }`);
  out.push('users:', '  root:', '    roles: [root]');
  for (let i = 0; i < users; i++) {
    out.push(`  svc-${i}:`, `    roles: [${roleOf(i)}]`, '    certificate:', '      ttl: 720h');
  }
  return `${out.join('\n')}\n`;
}

describe('the cost of placing findings', () => {
  it('the exact path places 20,000 findings in one pass, not one scan of the mapping each', () => {
    // Prepare: a duplicate key sends the policy to the exact path.
    // 20,000 roles and users stay under the caps (220,000 nodes).
    const text = `version: 1\n${generatePolicy(20_000, () => 'nope')}`;
    const start = performance.now();
    // Act
    const { diagnostics } = loadPolicy(text, 'p.yaml');
    // Assess: scanning the 40,000 users of an earlier version once per finding took over a minute here.
    const seconds = (performance.now() - start) / 1000;
    expect(diagnostics[0]).toMatchObject({ rule: 'duplicate-key', line: 2 });
    expect(diagnostics.at(-1)).toMatchObject({ rule: 'too-many-findings', line: 40_008 + 4 * 999 });
    expect(seconds).toBeLessThan(20);
  }, 120_000);

  it('one finding in a 10,000 + 10,000 policy is placed without re-parsing all of it', () => {
    // Prepare
    const text = generatePolicy(10_000, (i) => (i === 7_000 ? 'nope' : `app-${i}`));
    const small = generatePolicy(100, (i) => (i === 70 ? 'nope' : `app-${i}`));
    loadWithPositions(small, 'warm-up.yaml');
    loadPolicy(small, 'warm-up.yaml');
    const timed = <T>(run: () => T): { result: T; ms: number } => {
      const start = performance.now();
      const result = run();
      return { result, ms: performance.now() - start };
    };
    // Act
    const exact = timed(() => loadWithPositions(text, 'p.yaml'));
    const fast = timed(() => loadPolicy(text, 'p.yaml'));
    // Assess: compared within one process, so that a slow or busy machine slows both.
    expect(fast.result.diagnostics).toMatchObject([
      { rule: 'undefined-role', line: 20_007 + 4 * 7_000, column: 13 },
    ]);
    expect(fast.result).toEqual(exact.result);
    expect(fast.ms).toBeLessThan(exact.ms / 3);
  }, 60_000);
});
