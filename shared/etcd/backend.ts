// The applier's view of a real etcd cluster, through one etcd3 client.
import { hostname } from 'node:os';
import type { Etcd3 } from 'etcd3';
import type { RbacBackend } from '../rbac/backend.js';
import { applyChange } from './apply-change.js';
import { acquireApplyLock, type LockOptions } from './apply-lock.js';
import { etcdFailure } from './errors.js';
import { readAuthState } from './read-auth-state.js';

/**
 * Changes in flight at once within a phase (see ApplyOptions.concurrency). Measured here with
 * 500 roles + 500 users: 32, 64, 256 and 1,024 all take about the same time, because etcd's apply
 * loop is the bottleneck, so the smaller number in that plateau.
 */
export const APPLY_CONCURRENCY = 64;

export function etcdBackend(client: Etcd3, identity: string, lockOptions: LockOptions = {}): RbacBackend {
  return {
    readState: () => readAuthState(client),
    applyChange: async (change) => {
      try {
        await applyChange(client, change);
      } catch (error) {
        // The report pairs this error with its change: naming the change here would say it twice.
        throw etcdFailure(error, 'applying the change');
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
