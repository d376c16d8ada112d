// Shared by the fault tests: seeded kill points, tenant policies and policies from files, what
// root can do, a CLI apply with something killed at a given point of it, and the applier that
// kills itself at a given point.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Etcd3 } from 'etcd3';
import { expect } from 'vitest';
import { bundleOptions, withEtcd3Inside } from '../../build-options.mjs';
import { readAuthState } from '../../shared/etcd/read-auth-state.js';
import { loadPolicy } from '../../shared/policy/load.js';
import type { Policy } from '../../shared/policy/types.js';
import { besidesWarnings, runCli } from '../support/cli.js';
import type { EtcdCluster } from '../support/etcd-cluster.js';
import { BIN, cliEnv } from './cli-env.js';

/** mulberry32: a small seeded generator, so the kill points are the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A policy of `n` roles (two permissions each) and `n` users, all named with `tag`; prune on. */
export function tenantPolicy(tag: string, n: number): string {
  const lines = ['version: 1', 'auth: enabled', 'prune: true', 'roles:'];
  for (let i = 0; i < n; i++) {
    lines.push(
      `  ${tag}-${i}:`,
      `    - { prefix: /${tag}/${i}/, access: readwrite }`,
      `    - { key: /${tag}-config/${i}, access: read }`,
    );
  }
  lines.push('users:', '  root:', '    roles: [root]');
  for (let i = 0; i < n; i++) lines.push(`  ${tag}-user-${i}:`, `    roles: [${tag}-${i}]`);
  return `${lines.join('\n')}\n`;
}

/**
 * Two tenant policies of 15 in the cluster's folder, the second applied: an apply of either then
 * switches tenants, adding 105 changes' worth (15 roles, 30 permissions, 15 users, 15 grants) and
 * removing the other's (15 grants, users, roles).
 */
export function switchingTenants(cluster: EtcdCluster, tags: [string, string]): string[] {
  const files = tags.map((tag) => {
    const file = join(cluster.dir, `${tag}.yaml`);
    writeFileSync(file, tenantPolicy(tag, 15));
    return file;
  });
  const first = runCli(['apply', files[1] as string, '--yes'], { env: cliEnv(cluster), timeoutMs: 60_000 });
  if (first.code !== 0) throw new Error(`setup apply failed: ${first.stderr}`);
  return files;
}

export interface KilledApply {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** "applied …" lines seen when `kill` was called; undefined: the apply ended first. */
  killedAt?: number;
}

const APPLY_TIMEOUT_MS = 60_000;

/**
 * Runs `etcd-warden apply ARGS --yes` and calls `kill` (with the apply's process) once it has
 * reported `after` applied changes. Whatever `kill` stops, the apply's end is awaited, bounded: it
 * is SIGKILLed after APPLY_TIMEOUT_MS.
 */
export function applyWhileKilling(
  cluster: EtcdCluster,
  args: string[],
  after: number,
  kill: (apply: ChildProcess) => Promise<void> | void,
): Promise<KilledApply> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'apply', ...args, '--yes'], {
      env: { ...process.env, NO_COLOR: '1', ...cliEnv(cluster) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killedAt: number | undefined;
    let killing: Promise<void> | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const seen = stdout.split('\n').filter((l) => l.startsWith('applied ')).length;
      if (!killing && seen >= after && child.exitCode === null) {
        killedAt = seen;
        killing = Promise.resolve(kill(child));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), APPLY_TIMEOUT_MS);
    child.on('close', async (code, signal) => {
      clearTimeout(timer);
      await killing;
      resolve({ code, signal, stdout, stderr, ...(killedAt === undefined ? {} : { killedAt }) });
    });
  });
}

export function policyIn(file: string): Policy {
  const { policy, diagnostics } = loadPolicy(readFileSync(file, 'utf8'), file);
  if (!policy) throw new Error(`${file} does not load: ${JSON.stringify(diagnostics)}`);
  return policy;
}

const ROOT_PROBE_KEY = '/etcd-warden-test/root-probe';

/**
 * What root's certificate must always be able to do, as one line to compare: write a key, read
 * it back, and read the whole auth state (which only the root role may once auth is on).
 */
export async function whatRootCanDo(client: Etcd3, value: string): Promise<string> {
  try {
    await client.put(ROOT_PROBE_KEY).value(value);
    const read = await client.get(ROOT_PROBE_KEY).string();
    const state = await readAuthState(client);
    return `read back ${JSON.stringify(read)}; root holds ${JSON.stringify(state.users.get('root'))}`;
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}

/**
 * Bundles killable-applier.ts (the applier that SIGKILLs itself at a given point) into `dir`, as
 * build.mjs bundles the Action: etcd3 inside, with its service definitions, nothing beside it.
 */
export async function buildKillableApplier(dir: string): Promise<string> {
  const outfile = join(dir, 'killable-applier.mjs');
  await build({
    ...withEtcd3Inside({ ...bundleOptions([]), minify: false }),
    entryPoints: [fileURLToPath(new URL('./killable-applier.ts', import.meta.url))],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

export interface KilledApplier {
  code: number | null;
  signal: string | null;
  stderr: string;
  /** Our SIGKILL after the time limit: a hung applier must not pass for one that killed itself. */
  timedOut: boolean;
}

export function runKillableApplier(
  applier: string,
  cluster: EtcdCluster,
  file: string,
  killAfter: number,
): Promise<KilledApplier> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [applier, file, String(killAfter)], {
      env: { ...process.env, ...cliEnv(cluster) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, 30_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr, timedOut });
    });
  });
}

/** How a successful apply ends: the one summary line. */
export const APPLY_SUMMARY =
  /\n(Applied \d+ changes; etcd now matches the policy\.|No changes: etcd matches the policy\.)\n$/;

/**
 * SIGKILLs the one member an apply is given (`victim()` picks it) once the apply has reported a
 * seeded number of changes, restarts it, and judges the apply by what a plan then finds: exit 0
 * only when etcd matches the policy, with the summary line; otherwise exit 1 with one error line,
 * in bounded time. The rounds switch between two tenant policies, so each has work to do.
 */
export async function killTheConnectedMember(
  cluster: EtcdCluster,
  victim: () => number,
  seed: number,
  rounds: number,
): Promise<{ failed: number; outcomes: string[] }> {
  const files = switchingTenants(cluster, ['gamma', 'delta']);
  const random = seeded(seed);
  const outcomes: string[] = [];
  let failed = 0;
  for (let round = 0; round < rounds; round++) {
    // Prepare: a kill point within the smallest plan a round can have (after a cut-short one).
    const file = files[round % 2] as string;
    const killAfter = 1 + Math.floor(random() * 60);
    const member = victim();
    const args = [file, '--endpoints', cluster.endpoints[member] as string, '--command-timeout', '1s'];

    // Act: the killed apply's lease outlives it by its TTL, so every apply waits for the lock.
    const started = Date.now();
    const run = await applyWhileKilling(
      cluster,
      [...args, '--lock-ttl', '1s', '--lock-timeout', '10s'],
      killAfter,
      () => cluster.stopMember(member, 'SIGKILL'),
    );
    const tookMs = Date.now() - started;
    // A member still running must not be started twice: the second one would take its place.
    if (run.killedAt !== undefined) await cluster.startMember(member);
    const plan = runCli(['plan', file, '--detailed-exitcode'], { env: cliEnv(cluster), timeoutMs: 60_000 });

    // Assess
    const outcome = `round ${round}: member ${member} killed after ${run.killedAt ?? 'the end'} of ${killAfter}; exit ${run.code} in ${tookMs} ms, then plan ${plan.code}`;
    outcomes.push(outcome);
    expect(run.code === 0 || run.code === 1, `${outcome}: ${run.stderr}`).toBe(true);
    if (run.code === 0) {
      expect(plan.code, `${outcome}: ${plan.stdout}`).toBe(0);
      expect(run.stdout, outcome).toMatch(APPLY_SUMMARY);
      expect(besidesWarnings(run.stderr), outcome).toBe('');
    } else {
      failed++;
      expect(besidesWarnings(run.stderr), outcome).toMatch(/^etcd-warden: .+\n$/);
      expect(run.stderr, outcome).not.toMatch(/internal: the command did not finish/);
      expect(run.stdout, outcome).not.toMatch(APPLY_SUMMARY);
    }
    expect(tookMs, outcome).toBeLessThan(20_000);
  }
  return { failed, outcomes };
}
