// Shared by the fault tests: seeded kill points, policies from files, and what root can do.
import { readFileSync } from 'node:fs';
import type { Etcd3 } from 'etcd3';
import { readAuthState } from '../../shared/etcd/read-auth-state.js';
import { loadPolicy } from '../../shared/policy/load.js';
import type { Policy } from '../../shared/policy/types.js';

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
