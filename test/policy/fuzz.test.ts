// Generated input: the examples mutated at random (seeded, so a failure replays). Whatever the
// bytes, validation must answer with a policy or with diagnostics that point into the file.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, loadWithPositions } from '../../shared/policy/load.js';
import { RULES } from '../../shared/policy/rules.js';
import { REPO } from '../support/cli.js';

const CASES = Number(process.env.FUZZ_CASES ?? 1_500);
const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_e7cd);

// mulberry32: small, fast, and the same sequence on every machine.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SIGNIFICANT = [
  ':',
  '-',
  ' ',
  '\n',
  '[',
  ']',
  '{',
  '}',
  ',',
  '#',
  '&',
  '*',
  '!',
  '|',
  '>',
  "'",
  '"',
  '%',
  '@',
  '`',
  '\t',
  '\r',
  '?',
  '/',
];
// Lines whose indentation or form the placement of findings must read right (or refuse).
const LINES = [
  '# a comment',
  '    # an indented comment',
  '',
  '---',
  'x: |',
  '  block text',
  '  - item',
  '  continued text',
  '  "quoted key": 1',
  "  'it''s': 2",
  '  ? explicit',
  '  : value',
  '  !!str tagged: 3',
  '  1e3: number key',
  '    - { key: "", access: read }',
  '    roles: [nope]',
];
const VALUES = [
  '',
  '~',
  'null',
  'true',
  '0',
  '-1',
  '1e9',
  '[]',
  '{}',
  'root',
  '/',
  '""',
  '9999999h',
  '0h',
  '*',
  'read',
  'x'.repeat(80),
  '\u00e9\u4e2d',
  '{instanceId}',
];

function mutate(text: string, next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const at = () => Math.floor(next() * (text.length + 1));
  const lines = () => text.split('\n');
  switch (Math.floor(next() * 9)) {
    case 0: {
      const start = at();
      return text.slice(0, start) + text.slice(start + 1 + Math.floor(next() * 20));
    }
    case 1: {
      const i = at();
      return text.slice(0, i) + pick(SIGNIFICANT) + text.slice(i);
    }
    case 2: {
      const l = lines();
      const i = Math.floor(next() * l.length);
      l.splice(i, 0, l[i] ?? '');
      return l.join('\n');
    }
    case 3: {
      const l = lines();
      const i = Math.floor(next() * l.length);
      const j = Math.floor(next() * l.length);
      [l[i], l[j]] = [l[j] ?? '', l[i] ?? ''];
      return l.join('\n');
    }
    case 4:
      // Replace a scalar after a colon with another value.
      return text.replace(new RegExp(`: [^\\n]{0,${1 + Math.floor(next() * 30)}}`), `: ${pick(VALUES)}`);
    case 5: {
      const l = lines();
      const i = Math.floor(next() * l.length);
      l[i] = ' '.repeat(Math.floor(next() * 8)) + (l[i] ?? '').trimStart();
      return l.join('\n');
    }
    case 6: {
      const i = at();
      return text.slice(0, i) + String.fromCharCode(Math.floor(next() * 0x3000)) + text.slice(i);
    }
    case 7: {
      const l = lines();
      l.splice(Math.floor(next() * l.length), 0, ' '.repeat(2 * Math.floor(next() * 3)) + pick(LINES));
      return l.join('\n');
    }
    default:
      return text.slice(0, at());
  }
}

describe('validation under random mutation', () => {
  const examples = readdirSync(join(REPO, 'examples'))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => readFileSync(join(REPO, 'examples', f), 'utf8'));

  it(`${CASES} mutated examples: always a policy or located diagnostics, never an exception`, () => {
    const next = random(SEED);
    const outcomes = { valid: 0, invalid: 0 };
    const rulesSeen = new Set<string>();
    for (let n = 0; n < CASES; n++) {
      let text = examples[n % examples.length] as string;
      const mutations = 1 + Math.floor(next() * 4);
      for (let m = 0; m < mutations; m++) text = mutate(text, next);

      let result: ReturnType<typeof loadPolicy>;
      try {
        result = loadPolicy(text, 'fuzz.yaml');
      } catch (error) {
        throw new Error(`case ${n} threw ${String(error)} on:\n${text}`);
      }
      const lineCount = text.split('\n').length;
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      expect(Boolean(result.policy), `case ${n}`).toBe(errors.length === 0);
      for (const d of result.diagnostics) {
        rulesSeen.add(d.rule);
        expect(d.rule in RULES, `case ${n}: unknown rule ${d.rule}`).toBe(true);
        expect(d.line >= 1 && d.line <= lineCount + 1, `case ${n}: line ${d.line} of ${lineCount}`).toBe(
          true,
        );
        expect(d.column, `case ${n}`).toBeGreaterThanOrEqual(1);
        expect(d.message.trim().length, `case ${n}`).toBeGreaterThan(5);
        expect(d.message.includes('\n'), `case ${n}: multi-line message`).toBe(false);
      }
      // The fast parser and the exact one must agree on every input, down to the resolved policy
      // and to where each finding is placed (the fast one places them from parts of the text).
      const exact = loadWithPositions(text, 'fuzz.yaml');
      expect(exact.policy, `case ${n}: parsers disagree on:\n${text}`).toEqual(result.policy);
      expect(result.diagnostics, `case ${n}: placed differently in:\n${text}`).toEqual(exact.diagnostics);
      outcomes[result.policy ? 'valid' : 'invalid']++;
    }
    // The mutations must actually exercise both outcomes and many rules, or the test proves nothing.
    expect(outcomes.valid).toBeGreaterThan(CASES / 20);
    expect(outcomes.invalid).toBeGreaterThan(CASES / 4);
    expect(rulesSeen.size).toBeGreaterThan(8);
  });
});
