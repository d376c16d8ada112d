// The applier's view of a real etcd cluster.
import { hostname } from 'node:os';
import type { Etcd3 } from 'etcd3';
import type { RbacBackend } from '../rbac/backend.js';
import { describeChange } from '../rbac/format-plan.js';
import { applyChange } from './apply-change.js';
import { acquireApplyLock, type LockOptions } from './apply-lock.js';
import { type AuthReads, etcd3AuthReads } from './auth-reads.js';
import { etcdFailure } from './errors.js';
import { readAuthState } from './read-auth-state.js';

/**
 * Changes in flight at once within a phase (see ApplyOptions.concurrency). Measured here with
 * 500 roles + 500 users: 32, 64, 256 and 1,024 all take about the same time, because etcd's apply
 * loop is the bottleneck, so the smaller number in that plateau.
 */
export const APPLY_CONCURRENCY = 64;

/** `reads` answers the state reads; the CLI passes the lighter HTTP/2 ones (auth-reads.ts). */
export function etcdBackend(
  client: Etcd3,
  identity: string,
  lockOptions: LockOptions = {},
  reads: AuthReads = etcd3AuthReads(client),
): RbacBackend {
  return {
    readState: () => readAuthState(reads),
    applyChange: async (change) => {
      try {
        await applyChange(client, change);
      } catch (error) {
        throw etcdFailure(error, `applying "${describeChange(change)}"`);
      }
    },
    lock: () =>
      acquireApplyLock(
        client,
        { identity, host: hostname(), pid: process.pid, since: new Date().toISOString() },
        lockOptions,
      ),
  };
}
