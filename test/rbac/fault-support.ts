// Shared by the fault tests: seeded kill points, policies from files, what root can do, and the
// applier that kills itself at a given point.
import { spawn } from 'node:child_process';
import { cpSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Etcd3 } from 'etcd3';
import { bundleOptions, ETCD3_PROTO_DIR, withEtcd3Inside } from '../../build-options.mjs';
import { readAuthState } from '../../shared/etcd/read-auth-state.js';
import { loadPolicy } from '../../shared/policy/load.js';
import type { Policy } from '../../shared/policy/types.js';
import type { EtcdCluster } from '../support/etcd-cluster.js';
import { cliEnv } from './cli-env.js';

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
 * build.mjs bundles the Action: etcd3 inside, its .proto files beside it.
 */
export async function buildKillableApplier(dir: string): Promise<string> {
  const outfile = join(dir, 'killable-applier.mjs');
  await build({
    ...withEtcd3Inside({ ...bundleOptions([]), minify: false }),
    entryPoints: [fileURLToPath(new URL('./killable-applier.ts', import.meta.url))],
    outfile,
    logLevel: 'error',
  });
  cpSync(
    fileURLToPath(new URL('../../node_modules/etcd3/proto', import.meta.url)),
    join(dir, ETCD3_PROTO_DIR),
    {
      recursive: true,
    },
  );
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
