// `npm run bench [name…]`: bundles each bench/<name>.bench.ts, runs it in its own process (so
// one bench's memory and JIT state never colour another's), and writes its Markdown section into
// BENCHMARKS.md between `<!-- bench:name -->` markers, leaving the other sections as they were.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { build } from 'esbuild';
import { requireShim } from '../build-options.mjs';

const requested = process.argv.slice(2);
const all = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const names = requested.length ? all.filter((n) => requested.includes(n)) : all;
if (names.length === 0) {
  console.error(`no bench matches ${requested.join(' ')}; known: ${all.join(', ')}`);
  process.exit(1);
}

const machine = () => {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  let etcd = 'not installed';
  try {
    etcd = execFileSync('etcd', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {}
  return `${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${etcd}, ${os.platform()} ${os.release()}`;
};

let doc = existsSync('BENCHMARKS.md') ? readFileSync('BENCHMARKS.md', 'utf8') : '';
const header = [
  '# Benchmarks',
  '',
  'Run with `npm run bench` (all) or `npm run bench -- NAME` (one section). Every ratio compares',
  'against a baseline measured in the same run, on the same machine.',
  '',
].join('\n');
if (!doc.startsWith('# Benchmarks')) doc = `${header}\n`;

for (const name of names) {
  const outfile = `dist/bench/${name}.bench.mjs`;
  await build({
    entryPoints: [`bench/${name}.bench.ts`],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // Kept external, the policy validator's require() of Ajv's runtime needs one in ESM.
    banner: { js: requireShim },
    logLevel: 'warning',
  });
  console.error(`bench ${name}…`);
  const run = spawnSync(process.execPath, ['--expose-gc', outfile], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) {
    console.error(`bench ${name} failed (exit ${run.status})`);
    process.exit(1);
  }
  const section = [
    `<!-- bench:${name} -->`,
    run.stdout.trim(),
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench -- ${name}\` on: ${machine()}.`,
    `<!-- /bench:${name} -->`,
  ].join('\n');
  const marker = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  doc = marker.test(doc) ? doc.replace(marker, section) : `${doc.trimEnd()}\n\n${section}\n`;
  console.log(run.stdout.trim());
}
writeFileSync('BENCHMARKS.md', doc.endsWith('\n') ? doc : `${doc}\n`);
