// What the apply lock needs from etcd: a lease kept alive while the lock is held, and one
// create-if-absent write bound to it. Two ways to reach etcd: the etcd3 client, or the plain
// HTTP/2 channel (grpc-channel.ts), which spares the CLI loading etcd3 at all.
import type { Etcd3 } from 'etcd3';
import { type GrpcChannel, GrpcStatusError } from './grpc-channel.js';
import { decodeFields, encodeMessage, repeatedBytes } from './protobuf-wire.js';

export interface HeldLease {
  id: string;
  /** Set once the lease may have expired: whatever it guards may now belong to someone else. */
  lost(): Error | undefined;
  /** Stops keeping it alive and revokes it (best effort: otherwise it expires after its TTL). */
  revoke(): Promise<void>;
}

export interface LockTransport {
  grantLease(ttlSeconds: number): Promise<HeldLease>;
  /** Writes `value` at `key` bound to `lease` unless the key exists; else returns what it holds. */
  createIfAbsent(
    key: string,
    value: string,
    lease: HeldLease,
  ): Promise<{ created: boolean; current: string }>;
}

export function etcd3LockTransport(client: Etcd3): LockTransport {
  return {
    async grantLease(ttlSeconds) {
      const lease = client.lease(ttlSeconds);
      let lostWith: Error | undefined;
      lease.on('lost', (error) => {
        lostWith = error;
      });
      try {
        const id = await lease.grant();
        return { id, lost: () => lostWith, revoke: () => lease.revoke().catch(() => lease.release()) };
      } catch (error) {
        lease.release();
        throw error;
      }
    },
    async createIfAbsent(key, value, lease) {
      const result = await client
        .if(key, 'Create', '==', 0)
        .then(client.put(key).value(value).lease(lease.id))
        .else(client.get(key))
        .commit();
      const current = result.responses[0]?.response_range?.kvs[0]?.value?.toString() ?? '';
      return { created: result.succeeded, current };
    },
  };
}

// Field numbers from etcd's rpc.proto and kv.proto.
const LEASE = '/etcdserverpb.Lease/';
const COMPARE_TARGET_CREATE = 1;

/** Lease IDs are int64; we choose them (LeaseGrant allows it) below 2^53 so they stay exact numbers. */
const randomLeaseId = (): number => Math.floor(Math.random() * 2 ** 52) + 1;

export function wireLockTransport(channel: GrpcChannel): LockTransport {
  return {
    async grantLease(ttlSeconds) {
      let id = randomLeaseId();
      let granted: [number, number | Buffer][] | undefined;
      // A chosen ID that happens to be taken is refused; another one will not be.
      for (let attempt = 0; !granted; attempt++) {
        try {
          const answer = await channel.unary(
            `${LEASE}LeaseGrant`,
            encodeMessage([
              [1, ttlSeconds],
              [2, id],
            ]),
          );
          granted = decodeFields(answer);
        } catch (error) {
          if (
            attempt >= 2 ||
            !(error instanceof GrpcStatusError && /lease already exists/.test(error.message))
          )
            throw error;
          id = randomLeaseId();
        }
      }
      const refusal = granted.find(([field]) => field === 4)?.[1];
      if (Buffer.isBuffer(refusal) && refusal.length > 0) throw new Error(refusal.toString('utf8'));
      const ttl = Number(granted.find(([field]) => field === 3)?.[1] ?? ttlSeconds);
      return keptAlive(channel, id, ttl);
    },
    async createIfAbsent(key, value, lease) {
      const compare = encodeMessage([
        [2, COMPARE_TARGET_CREATE],
        [3, key],
      ]);
      const put = encodeMessage([
        [
          2,
          encodeMessage([
            [1, key],
            [2, value],
            [3, Number(lease.id)],
          ]),
        ],
      ]);
      const get = encodeMessage([[1, encodeMessage([[1, key]])]]);
      const answer = await channel.unary(
        '/etcdserverpb.KV/Txn',
        encodeMessage([
          [1, compare],
          [2, put],
          [3, get],
        ]),
      );
      const created = decodeFields(answer).some(([field, v]) => field === 2 && v === 1);
      // responses[0].response_range.kvs[0].value
      const range = repeatedBytes(answer, 3).flatMap((op) => repeatedBytes(op, 1))[0];
      const kv = range ? repeatedBytes(range, 2)[0] : undefined;
      const current = kv ? (repeatedBytes(kv, 5)[0]?.toString('utf8') ?? '') : '';
      return { created, current };
    },
  };
}

/**
 * Renews the lease every third of its TTL. LeaseKeepAlive is a stream; one request and one answer
 * per renewal, each on its own short stream, is the same exchange. A renewal that fails is tried
 * again at the next tick; the lease counts as lost once a TTL has passed without one.
 */
function keptAlive(channel: GrpcChannel, id: number, ttlSeconds: number): HeldLease {
  let renewedAt = Date.now();
  let lostWith: Error | undefined;
  const renew = async (): Promise<void> => {
    try {
      const answer = decodeFields(await channel.unary(`${LEASE}LeaseKeepAlive`, encodeMessage([[1, id]])));
      const ttl = Number(answer.find(([field]) => field === 3)?.[1] ?? 0);
      if (ttl <= 0) lostWith ??= new Error('the lease expired');
      else renewedAt = Date.now();
    } catch (error) {
      if (Date.now() - renewedAt >= ttlSeconds * 1000) {
        lostWith ??= new Error(`the lease could not be renewed: ${(error as Error).message}`);
      }
    }
  };
  const timer = setInterval(() => void renew(), Math.max(100, (ttlSeconds * 1000) / 3));
  timer.unref();
  return {
    id: String(id),
    lost: () =>
      lostWith ?? (Date.now() - renewedAt >= ttlSeconds * 1000 ? new Error('the lease expired') : undefined),
    async revoke() {
      clearInterval(timer);
      await channel.unary(`${LEASE}LeaseRevoke`, encodeMessage([[1, id]])).catch(() => undefined);
    },
  };
}
