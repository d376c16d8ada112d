// The cluster-wide apply lock: one key, created only if absent, bound to a lease that this
// process keeps alive. A crashed holder's lease expires after its TTL and frees the lock. The key
// holds who took it, so a second apply can say whom it is waiting for.
import type { Etcd3 } from 'etcd3';
import { WardenError } from '../errors.js';
import { etcdFailure } from './errors.js';
import { createIfAbsent, grantLease, type HeldLease } from './lock-transport.js';

export const LOCK_KEY = '__etcd-warden/apply-lock';
export const DEFAULT_LOCK_TTL_SECONDS = 10;

export interface LockHolder {
  identity: string;
  host: string;
  pid: number;
  since: string;
}

export interface ApplyLock {
  /** Set once the lease could not be kept alive: another apply may now hold the lock. */
  lost(): Error | undefined;
  release(): Promise<void>;
}

export interface LockOptions {
  ttlSeconds?: number;
  /** How long to keep retrying while another apply holds the lock; 0 tries once. */
  waitMs?: number;
}

export const describeHolder = (text: string): string => {
  try {
    const h = JSON.parse(text) as LockHolder;
    return `"${h.identity}" on ${h.host} (pid ${h.pid}) since ${h.since}`;
  } catch {
    return 'an unknown holder';
  }
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function acquireApplyLock(
  client: Etcd3,
  holder: LockHolder,
  options: LockOptions = {},
): Promise<ApplyLock> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  let lease: HeldLease | undefined;
  try {
    lease = await grantLease(client, options.ttlSeconds ?? DEFAULT_LOCK_TTL_SECONDS);
    for (let attempt = 0; ; attempt++) {
      const result = await createIfAbsent(client, LOCK_KEY, JSON.stringify(holder), lease);
      if (result.created) {
        const held = lease;
        return { lost: () => held.lost(), release: () => held.revoke() };
      }
      if (Date.now() >= deadline) {
        throw new WardenError(
          'locked',
          `another apply holds the lock: ${describeHolder(result.current)}; nothing was changed`,
          true,
        );
      }
      // Backoff with jitter, so two waiters do not retry in step.
      await sleep(
        Math.min(deadline - Date.now(), Math.min(1_000, 50 * 2 ** attempt) * (0.5 + Math.random() / 2)),
      );
    }
  } catch (error) {
    await lease?.revoke();
    throw etcdFailure(error, 'taking the apply lock');
  }
}
