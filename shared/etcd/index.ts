/**
 * The etcd adapter over etcd3 (loaded on first use): certificate-only connections with bounded
 * fault handling, the auth state reader, one-change writes, the apply lock, access probes.
 *
 *   const client = await connectEtcd({ endpoints, caPem, certPem, keyPem, callTimeoutMs });
 *   const backend = etcdBackend(client, identity, { ttlSeconds, waitMs });   // for applyPolicy
 *   const sessions = userSessions({ endpoints, caPem, ca, pki });           // for verify
 *   client.close();
 */

export { applyChange } from './apply-change.js';
export {
  type ApplyLock,
  acquireApplyLock,
  DEFAULT_LOCK_TTL_SECONDS,
  LOCK_KEY,
  type LockHolder,
  type LockOptions,
} from './apply-lock.js';
export { APPLY_CONCURRENCY, etcdBackend } from './backend.js';
export { connectEtcd, DEFAULT_CALL_TIMEOUT_MS, type EtcdConnection } from './connect.js';
export { etcdFailure } from './errors.js';
export { probeAccess } from './probe.js';
export { isAuthEnabled, READ_CONCURRENCY, readAuthState } from './read-auth-state.js';
export { PROBE_CERTIFICATE_TTL_SECONDS, userSessions } from './user-session.js';
