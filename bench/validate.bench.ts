// Validation cost against policy size: a generated policy of N roles and N users, loaded
// (parse + schema + lint + resolve) as `validate` does. Baseline, same run: the YAML parser alone
// (js-yaml `load`, the parser of the fast path) on the same text, the floor any YAML validator pays.
// Then the whole `validate` command on the worst texts under the caps, each in a fresh process,
// against the promise that every file under them validates within 5 s and 1 GiB.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CORE_SCHEMA, load } from 'js-yaml';
import { loadPolicy, loadWithPositions, MAX_DIAGNOSTICS } from '../shared/policy/load.js';
import { guardProblem, MAX_POLICY_BYTES, MAX_POLICY_NODES } from '../shared/policy/source.js';

const SECONDS_PROMISED = 5;
const BYTES_PROMISED = 1024 ** 3;

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

const ROOT_ONLY = 'version: 1\nusers:\n  root:\n    roles: [root]\n';
const repeated =
  (head: string, unit: string, tail = '') =>
  (n: number) =>
    `${head}${unit.repeat(n)}${tail}`;

/** The largest n whose text passes the loader's guard (both caps), by bisection. */
function largestUnderCaps(make: (n: number) => string): number {
  let low = 1;
  let high = 1;
  while (!guardProblem(make(high)) && high < 1e8) high *= 2;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (guardProblem(make(mid))) high = mid;
    else low = mid;
  }
  return low;
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

const largest = largestUnderCaps(generatePolicy);
const rows: string[] = [];
const perEntity: number[] = [];
const loadMs: number[] = [];
for (const n of [1_000, 10_000, largest]) {
  const text = generatePolicy(n);
  const runs = n > 10_000 ? 3 : 7;
  let diagnostics = -1;
  const ms = time(() => {
    const result = loadPolicy(text, 'generated.yaml');
    if (!result.policy) throw new Error(`generated policy invalid: ${JSON.stringify(result.diagnostics[0])}`);
    diagnostics = result.diagnostics.length;
  }, runs);
  const parseMs = time(() => load(text, { schema: CORE_SCHEMA }), runs);
  perEntity.push((ms * 1000) / (2 * n));
  loadMs.push(ms);
  rows.push(
    `| ${n.toLocaleString('en')} + ${n.toLocaleString('en')} | ${(text.length / 1048576).toFixed(1)} MiB | ${ms.toFixed(0)} ms | ${parseMs.toFixed(0)} ms | ${(ms / parseMs).toFixed(2)}x | ${((ms * 1000) / (2 * n)).toFixed(1)} µs | ${diagnostics} |`,
  );
}
const tenThousandMs = Math.round(loadMs[1] as number);
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

// The worst texts under the caps: the largest of each shape that the guard lets through to the
// parsers. Dense shapes are what cost: every node is parsed, and every finding checked and counted.
const worst: Array<{ shape: string; make: (n: number) => string }> = [
  { shape: 'the generated policy, clean (fast parse)', make: generatePolicy },
  {
    shape: 'the same with an anchor, so the whole text takes the exact path',
    make: (n) => generatePolicy(n).replace('version: 1', 'version: &v 1'),
  },
  {
    shape: 'an undefined role on every user',
    make: (n) => generatePolicy(n).replaceAll(', calico-cni]', ', undefined-role]'),
  },
  {
    shape: 'a tag on every user (exact path, an error each)',
    make: (n) => generatePolicy(n).replaceAll('ttl: 720h', 'ttl: !!str 720h'),
  },
  {
    shape: 'one flow mapping of duplicate keys `{a: [], a: [], …}`',
    make: repeated(`${ROOT_ONLY}roles: {`, 'a: [], ', '}\n'),
  },
  {
    shape: 'a flow sequence of unknown presets `[a,a,…]`',
    make: repeated(`${ROOT_ONLY}presets: [`, 'a,', 'a]\n'),
  },
  { shape: 'a block sequence of empty permissions', make: repeated(`${ROOT_ONLY}roles:\n  x:\n`, '  - \n') },
  { shape: 'explicit keys `? a` / `: []`', make: repeated(`${ROOT_ONLY}roles:\n`, '  ? a\n  : []\n') },
  {
    shape: 'quoted keys with escapes, each a duplicate',
    make: repeated(`${ROOT_ONLY}roles:\n`, '  "a\\u0041": []\n'),
  },
  {
    shape: 'alias values `r1: *p`, `r2: *p`, …',
    make: (n) =>
      `${ROOT_ONLY}roles:\n  base: &p [{ prefix: /a/, access: read }]\n${Array.from({ length: n }, (_, i) => `  r${i}: *p\n`).join('')}`,
  },
  { shape: 'comments only', make: repeated(ROOT_ONLY, '# a comment: with, indicators - ? [\n') },
  { shape: 'one long role name', make: (n) => `${ROOT_ONLY}roles:\n  ${'a'.repeat(n)}: []\n` },
];

const dir = mkdtempSync(join(tmpdir(), 'validate-bench-'));
const cli = resolve('bin/etcd-warden.js');
// Each command reports its own peak memory and CPU as it exits: a module loaded before the CLI.
const usageFile = join(dir, 'usage.json');
const reporter = join(dir, 'report-usage.mjs');
writeFileSync(
  reporter,
  `import { writeFileSync } from 'node:fs';
process.on('exit', () => {
  const u = process.resourceUsage();
  writeFileSync(${JSON.stringify(usageFile)}, JSON.stringify({ maxRssKiB: u.maxRSS, cpuUs: u.userCPUTime + u.systemCPUTime }));
});
`,
);

interface CommandRun {
  wallMs: number;
  maxRssBytes: number;
  cpuMs: number;
  status: number | null;
  firstLine: string;
}

function runValidate(file: string): CommandRun {
  rmSync(usageFile, { force: true });
  const start = performance.now();
  const run = spawnSync(process.execPath, ['--import', reporter, cli, 'validate', file], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const wallMs = performance.now() - start;
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssKiB: number; cpuUs: number };
  const output = `${run.stderr}${run.stdout}`;
  return {
    wallMs,
    maxRssBytes: usage.maxRssKiB * 1024,
    cpuMs: usage.cpuUs / 1000,
    status: run.status,
    firstLine: output.split('\n')[0] ?? '',
  };
}

const worstRows: string[] = [];
let slowest = { shape: '', wallMs: 0 };
let hungriest = { shape: '', bytes: 0 };
for (const { shape, make } of worst) {
  const n = largestUnderCaps(make);
  const text = make(n);
  const file = join(dir, 'policy.yaml');
  writeFileSync(file, text);
  const runs = [runValidate(file), runValidate(file), runValidate(file)];
  const wallMs = median(runs.map((r) => r.wallMs));
  const maxRss = Math.max(...runs.map((r) => r.maxRssBytes));
  const cpuMs = median(runs.map((r) => r.cpuMs));
  const first = runs[0] as CommandRun;
  const rule =
    first.status === 0
      ? 'valid'
      : (first.firstLine.match(/\[([a-z-]+)\]$/)?.[1] ?? first.firstLine.slice(0, 60));
  if (wallMs > slowest.wallMs) slowest = { shape, wallMs };
  if (maxRss > hungriest.bytes) hungriest = { shape, bytes: maxRss };
  worstRows.push(
    `| ${shape} | ${(Buffer.byteLength(text) / 1048576).toFixed(2)} MiB | exit ${first.status}, ${rule} | ${wallMs.toFixed(0)} ms | ${cpuMs.toFixed(0)} ms | ${(maxRss / 1048576).toFixed(0)} MiB |`,
  );
}
const overCap = join(dir, 'over.yaml');
writeFileSync(overCap, `${ROOT_ONLY}${'#'.repeat(MAX_POLICY_BYTES)}\n`);
const refused = runValidate(overCap);
if (refused.status !== 1 || !refused.firstLine.includes('[file-too-large]')) {
  throw new Error(`a policy over the byte cap was not refused: ${refused.firstLine}`);
}
rmSync(dir, { recursive: true, force: true });

const verdict = (met: boolean) => (met ? 'met' : '**NOT met**');
const timeMet = slowest.wallMs <= SECONDS_PROMISED * 1000;
const memoryMet = hungriest.bytes <= BYTES_PROMISED;

console.log(`## Policy validation

Median of 7 runs (3 for the largest), one process, after warm-up. Each role has a prefix and a key permission;
each user holds its role plus a preset role and has a client certificate with one requester.

| roles + users | YAML size | validate (load) | baseline: js-yaml load alone | ratio to baseline | per role or user | diagnostics |
|---|---|---|---|---|---|---|
${rows.join('\n')}

The last row is the largest such policy under the loader's caps (${MAX_POLICY_BYTES / 1048576} MiB and ${MAX_POLICY_NODES.toLocaleString('en')} YAML nodes).
A clean policy is answered from the fast parse. Findings are placed from the entries that hold them
(median of 3):

| the 10,000 + 10,000 policy with | validate (load) |
|---|---|
| one warning (a prefix without its trailing \`/\`) | ${oneFindingMs.toFixed(0)} ms |
| the same, by the exact path (the whole text re-parsed with positions) | ${exactMs.toFixed(0)} ms |
| an undefined role on every user: 10,000 errors, the first ${MAX_DIAGNOSTICS} listed and the rest counted | ${manyFindingsMs.toFixed(0)} ms |

Target: 10,000 + 10,000 in at most 1 s: ${tenThousandMs} ms, ${verdict(tenThousandMs <= 1000)}. Growth: the cost per role or user at
the largest is ${growth.toFixed(2)}x the cost at 1,000 (1.00 would be exactly linear).

### The worst files under the caps, whole command

\`etcd-warden validate FILE\` in a fresh process (the built CLI, median of 3; peak resident memory the largest of
the 3), on the largest text of each shape that passes the loader's guard: at most ${MAX_POLICY_BYTES / 1048576} MiB and
${MAX_POLICY_NODES.toLocaleString('en')} nodes, counted from the indicators that open one (block \`- \` \`? \` \`: \`, flow \`[\` \`{\` \`,\`).
Dense text costs the most: each node is parsed, and each finding checked, counted and sorted.

| shape | size | answer | wall | CPU | peak memory |
|---|---:|---|---:|---:|---:|
${worstRows.join('\n')}
| over the byte cap by one line | ${((MAX_POLICY_BYTES + ROOT_ONLY.length + 1) / 1048576).toFixed(2)} MiB | exit ${refused.status}, file-too-large | ${refused.wallMs.toFixed(0)} ms | ${refused.cpuMs.toFixed(0)} ms | ${(refused.maxRssBytes / 1048576).toFixed(0)} MiB |

Target: every file under the caps validated within ${SECONDS_PROMISED} s and 1 GiB. Slowest: ${slowest.shape}, ${slowest.wallMs.toFixed(0)} ms
(${verdict(timeMet)}); most memory: ${hungriest.shape}, ${(hungriest.bytes / 1048576).toFixed(0)} MiB (${verdict(memoryMet)}).`);
