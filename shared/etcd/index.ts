/**
 * The etcd adapter: certificate-only connections with bounded fault handling, the auth state
 * reader, one-change writes, the apply lock, access probes. Two ways to reach etcd: a plain HTTP/2
 * channel (no etcd3 at all: about 250 ms less to start and half the client CPU per call; what
 * the CLI uses for plan, apply and import), or the etcd3 client (loaded on first use; probes).
 *
 *   const channel = openGrpcChannel({ endpoints, caPem, certPem, keyPem, callTimeoutMs });
 *   const live = await readAuthState(wireAuthReads(channel));              // plan, import
 *   const backend = etcdBackend(channel, identity, { ttlSeconds, waitMs }); // for applyPolicy
 *   channel.close();
 *
 *   const client = await connectEtcd({ endpoints, caPem, certPem, keyPem, callTimeoutMs });
 *   readAuthState(client); etcdBackend(client, identity, lockOptions);      // the same over etcd3
 *   const sessions = userSessions({ endpoints, caPem, ca, pki });           // for verify
 *   client.close();
 */

export { applyChange, sendChange } from './apply-change.js';
export {
  type ApplyLock,
  acquireApplyLock,
  DEFAULT_LOCK_TTL_SECONDS,
  LOCK_KEY,
  type LockHolder,
  type LockOptions,
} from './apply-lock.js';
export { type AuthReads, etcd3AuthReads, wireAuthReads } from './auth-reads.js';
export { APPLY_CONCURRENCY, etcdBackend } from './backend.js';
export { connectEtcd, DEFAULT_CALL_TIMEOUT_MS, type EtcdConnection } from './connect.js';
export { etcdFailure } from './errors.js';
export { type GrpcChannel, GrpcCode, GrpcStatusError, openGrpcChannel } from './grpc-channel.js';
export {
  etcd3LockTransport,
  type HeldLease,
  type LockTransport,
  wireLockTransport,
} from './lock-transport.js';
export { probeAccess } from './probe.js';
export { isAuthEnabled, READ_CONCURRENCY, readAuthState } from './read-auth-state.js';
export { PROBE_CERTIFICATE_TTL_SECONDS, userSessions } from './user-session.js';
