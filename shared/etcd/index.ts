/**
 * The etcd adapter, the one place that knows etcd3: certificate-only connections with bounded
 * fault handling (our own deadlines and retries of transient errors instead of etcd3's circuit
 * breaker), one table from etcd3's errors to WardenErrors, the auth state reader, one-change
 * writes around etcd3 1.1.2's faults, the apply lock, access probes. etcd3 is loaded on first use.
 *
 *   preloadEtcd3();                                                  // while reading the policy
 *   await withEtcd({ endpoints, caPem, certPem, keyPem, callTimeoutMs }, async (client) => {
 *     const live = await readAuthState(client);                      // plan, import
 *     await applyPolicy(policy, etcdBackend(client, identity, { ttlSeconds, waitMs }), options);
 *   });
 *   const sessions = userSessions({ endpoints, caPem, ca, pki });   // for verify
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
export { type AuthReads, authReads } from './auth-reads.js';
export { APPLY_CONCURRENCY, etcdBackend } from './backend.js';
export { connectEtcd, DEFAULT_CALL_TIMEOUT_MS, type EtcdConnection, withEtcd } from './connect.js';
export { etcdFailure, isTransient } from './errors.js';
export { preloadEtcd3 } from './etcd3-runtime.js';
export { createIfAbsent, grantLease, type HeldLease } from './lock-transport.js';
export { probeAccess } from './probe.js';
export { isAuthEnabled, READ_CONCURRENCY, readAuthState } from './read-auth-state.js';
export { PROBE_CERTIFICATE_TTL_SECONDS, userSessions } from './user-session.js';
