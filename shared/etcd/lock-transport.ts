// What the apply lock needs from etcd: a lease kept alive while the lock is held, and one
// create-if-absent write bound to it. etcd3's own lock() is not used: it fails at once while
// another holds the lock and says nothing of who that is; apply-lock.ts waits with backoff.
import type { Etcd3 } from 'etcd3';

/**
 * How long a release waits for etcd to revoke the lease. After a failure etcd is often out of
 * reach, and the lease expires after its TTL anyway: a release must not spend a whole retry
 * budget on it before the command can report what went wrong.
 */
const REVOKE_WAIT_MS = 1_000;

/** `call`'s end, or `ms` passing, whichever comes first; no timer is left to keep Node running. */
async function atMost(call: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([call, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export interface HeldLease {
  id: string;
  /** Set once the lease may have expired: whatever it guards may now belong to someone else. */
  lost(): Error | undefined;
  /** Stops keeping it alive and revokes it (best effort: otherwise it expires after its TTL). */
  revoke(): Promise<void>;
}

export async function grantLease(client: Etcd3, ttlSeconds: number): Promise<HeldLease> {
  const lease = client.lease(ttlSeconds);
  let lostWith: Error | undefined;
  let renewedAt = Date.now();
  // etcd3 reports a lease revoked by someone else as an error whose message is only the lease ID.
  lease.on('lost', () => {
    lostWith ??= new Error('the lease expired');
  });
  lease.on('keepaliveSucceeded', () => {
    renewedAt = Date.now();
  });
  try {
    const id = await lease.grant();
    renewedAt = Date.now();
    return {
      id,
      // etcd3 reports a loss only after twice the TTL without a renewal; by then another apply
      // may have held the lock for a whole TTL. One TTL without a renewal counts as lost here.
      lost: () =>
        lostWith ??
        (Date.now() - renewedAt >= ttlSeconds * 1000 ? new Error('the lease expired') : undefined),
      revoke: () =>
        atMost(lease.revoke(), REVOKE_WAIT_MS)
          .catch(() => undefined)
          .finally(() => lease.release()),
    };
  } catch (error) {
    lease.release();
    throw error;
  }
}

/** Writes `value` at `key` bound to `lease` unless the key exists; else returns what it holds. */
export async function createIfAbsent(
  client: Etcd3,
  key: string,
  value: string,
  lease: HeldLease,
): Promise<{ created: boolean; current: string }> {
  const result = await client
    .if(key, 'Create', '==', 0)
    .then(client.put(key).value(value).lease(lease.id))
    .else(client.get(key))
    .commit();
  const kv = result.responses[0]?.response_range?.kvs[0];
  // A retry after an answer lost on the way (a member stopping, a new leader) finds the key it
  // wrote: bound to this very lease, it is this holder's.
  return { created: result.succeeded || kv?.lease === lease.id, current: kv?.value?.toString() ?? '' };
}
