// The applier's view of a real etcd cluster.
import { hostname } from 'node:os';
import type { Etcd3 } from 'etcd3';
import type { RbacBackend } from '../rbac/backend.js';
import { describeChange } from '../rbac/format-plan.js';
import { applyChange, sendChange } from './apply-change.js';
import { acquireApplyLock, type LockOptions } from './apply-lock.js';
import { etcd3AuthReads, wireAuthReads } from './auth-reads.js';
import { etcdFailure } from './errors.js';
import type { GrpcChannel } from './grpc-channel.js';
import { readAuthState } from './read-auth-state.js';

/**
 * Changes in flight at once within a phase (see ApplyOptions.concurrency). Measured here with
 * 500 roles + 500 users: 32, 64, 256 and 1,024 all take about the same time, because etcd's apply
 * loop is the bottleneck, so the smaller number in that plateau.
 */
export const APPLY_CONCURRENCY = 64;

/**
 * The lock goes through the etcd3 client (a lease it keeps alive). Reads and changes go through
 * `channel` when given (the CLI: a fraction of the client CPU per call), else the client too.
 */
export function etcdBackend(
  client: Etcd3,
  identity: string,
  lockOptions: LockOptions = {},
  channel?: GrpcChannel,
): RbacBackend {
  const reads = channel ? wireAuthReads(channel) : etcd3AuthReads(client);
  return {
    readState: () => readAuthState(reads),
    applyChange: async (change) => {
      try {
        await (channel ? sendChange(channel, change) : applyChange(client, change));
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
