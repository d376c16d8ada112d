// The applier's view of a real etcd cluster.
import { hostname } from 'node:os';
import type { Etcd3 } from 'etcd3';
import type { RbacBackend } from '../rbac/backend.js';
import type { Change } from '../rbac/change.js';
import { applyChange, sendChange } from './apply-change.js';
import { acquireApplyLock, type LockOptions } from './apply-lock.js';
import { etcd3AuthReads, wireAuthReads } from './auth-reads.js';
import { etcdFailure } from './errors.js';
import type { GrpcChannel } from './grpc-channel.js';
import { etcd3LockTransport, wireLockTransport } from './lock-transport.js';
import { readAuthState } from './read-auth-state.js';

/**
 * Changes in flight at once within a phase (see ApplyOptions.concurrency). Measured here with
 * 500 roles + 500 users: 32, 64, 256 and 1,024 all take about the same time, because etcd's apply
 * loop is the bottleneck, so the smaller number in that plateau.
 */
export const APPLY_CONCURRENCY = 64;

/**
 * Over the etcd3 client, or over the plain HTTP/2 channel (grpc-channel.ts), which never loads
 * etcd3 and costs the client a fraction of the CPU per call: the CLI's choice.
 */
export function etcdBackend(
  etcd: Etcd3 | GrpcChannel,
  identity: string,
  lockOptions: LockOptions = {},
): RbacBackend {
  const wire = 'unary' in etcd;
  const reads = wire ? wireAuthReads(etcd) : etcd3AuthReads(etcd);
  const send = wire
    ? (change: Change) => sendChange(etcd, change)
    : (change: Change) => applyChange(etcd, change);
  const lockTransport = wire ? wireLockTransport(etcd) : etcd3LockTransport(etcd);
  return {
    readState: () => readAuthState(reads),
    applyChange: async (change) => {
      try {
        await send(change);
      } catch (error) {
        // The report pairs this error with its change: naming the change here would say it twice.
        throw etcdFailure(error, 'applying the change');
      }
    },
    lock: () =>
      acquireApplyLock(
        lockTransport,
        { identity, host: hostname(), pid: process.pid, since: new Date().toISOString() },
        lockOptions,
      ),
  };
}
