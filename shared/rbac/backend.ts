// What the applier needs from a cluster. The etcd implementation lives in shared/etcd; the
// applier itself stays free of I/O.
import type { Change } from './change.js';
import type { LiveState } from './live-state.js';

export interface HeldLock {
  /** Set once the lock can no longer be trusted (its lease was lost). */
  lost(): Error | undefined;
  release(): Promise<void>;
}

export interface RbacBackend {
  readState(): Promise<LiveState>;
  applyChange(change: Change): Promise<void>;
  /** Takes the cluster-wide apply lock, or throws WardenError('locked') naming its holder. */
  lock(): Promise<HeldLock>;
}
