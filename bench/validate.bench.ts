// Validation cost against policy size: a generated policy of N roles and N users, loaded
// (parse + schema + lint + resolve) as `validate` does. Baseline, same run: the YAML parser alone
// (js-yaml `load`, the parser of the fast path) on the same text, the floor any YAML validator pays.
import { performance } from 'node:perf_hooks';
import { CORE_SCHEMA, load } from 'js-yaml';
import { loadPolicy, loadWithPositions, MAX_DIAGNOSTICS } from '../shared/policy/load.js';

function generatePolicy(n: number): string {
  const out = ['version: 1', 'presets: [calico]', 'roles:'];
  for (let i = 0; i < n; i++) {
    out.push(
      `  app-${i}:`,
      `    - { prefix: /apps/${i}/, access: readwrite }`,
      `    - { key: /config/${i}, access: read }`,
    );
  }
  out.push('users:', '  root:', '    roles: [root]');
  for (let i = 0; i < n; i++) {
    out.push(
      `  svc-${i}:`,
      `    roles: [app-${i}, calico-cni]`,
      '    certificate:',
      '      ttl: 720h',
      `      requesters: ["arn:aws:iam::123456789012:role/svc-${i}"]`,
    );
  }
  return `${out.join('\n')}\n`;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function time(fn: () => void, runs: number): number {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    globalThis.gc?.();
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

// Warm up the JIT and compile the schema once, as a long-running process would have.
loadPolicy(generatePolicy(200), 'warmup.yaml');

const rows: string[] = [];
const perEntity: number[] = [];
for (const n of [1_000, 10_000, 100_000]) {
  const text = generatePolicy(n);
  const runs = n >= 100_000 ? 3 : 7;
  let diagnostics = -1;
  const ms = time(() => {
    const result = loadPolicy(text, 'generated.yaml');
    if (!result.policy) throw new Error(`generated policy invalid: ${JSON.stringify(result.diagnostics[0])}`);
    diagnostics = result.diagnostics.length;
  }, runs);
  const parseMs = time(() => load(text, { schema: CORE_SCHEMA }), runs);
  perEntity.push((ms * 1000) / (2 * n));
  rows.push(
    `| ${n.toLocaleString('en')} + ${n.toLocaleString('en')} | ${(text.length / 1048576).toFixed(1)} MiB | ${ms.toFixed(0)} ms | ${parseMs.toFixed(0)} ms | ${(ms / parseMs).toFixed(2)}x | ${((ms * 1000) / (2 * n)).toFixed(1)} µs | ${diagnostics} |`,
  );
}
// A policy with findings has them placed from the entries that hold them; the exact path (the whole
// text re-parsed with source positions, what a policy the fast parse cannot read takes) for reference.
const withWarning = generatePolicy(10_000).replace('prefix: /apps/7/', 'prefix: /apps/7');
const oneFindingMs = time(() => {
  if (loadPolicy(withWarning, 'generated.yaml').diagnostics.length !== 1)
    throw new Error('expected one warning');
}, 3);
const exactMs = time(() => {
  if (loadWithPositions(withWarning, 'generated.yaml').diagnostics.length !== 1)
    throw new Error('expected one warning');
}, 3);
const everyUserWrong = generatePolicy(10_000).replaceAll(', calico-cni]', ', undefined-role]');
const manyFindingsMs = time(() => {
  if (loadPolicy(everyUserWrong, 'generated.yaml').diagnostics.length !== MAX_DIAGNOSTICS + 1)
    throw new Error('expected the listed findings and their count');
}, 3);
const growth = (perEntity[2] as number) / (perEntity[0] as number);

console.log(`## Policy validation

Median of 7 runs (3 at 100,000), one process, after warm-up. Each role has a prefix and a key permission;
each user holds its role plus a preset role and has a client certificate with one requester.

| roles + users | YAML size | validate (load) | baseline: js-yaml load alone | ratio to baseline | per role or user | diagnostics |
|---|---|---|---|---|---|---|
${rows.join('\n')}

A clean policy is answered from the fast parse. Findings are placed from the entries that hold them
(median of 3):

| the 10,000 + 10,000 policy with | validate (load) |
|---|---|
| one warning (a prefix without its trailing \`/\`) | ${oneFindingMs.toFixed(0)} ms |
| the same, by the exact path (the whole text re-parsed with positions) | ${exactMs.toFixed(0)} ms |
| an undefined role on every user: 10,000 errors, the first ${MAX_DIAGNOSTICS} listed and the rest counted | ${manyFindingsMs.toFixed(0)} ms |

Target: 10,000 + 10,000 in at most 1 s. Growth: the cost per role or user at 100,000 is ${growth.toFixed(2)}x
the cost at 1,000 (1.00 would be exactly linear).`);
