// The applier: under the cluster-wide lock, read the live state, plan, refuse unsafe plans, send
// the changes in order, stop at the first failure, and re-read to confirm convergence. A crash
// anywhere leaves a state the planner converges from, because every change is one idempotent
// step toward the policy and grants precede revocations.
import { WardenError } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { RbacBackend } from './backend.js';
import type { Change } from './change.js';
import { describeChange } from './format-plan.js';
import { planChanges } from './plan.js';
import { assertPlanIsSafe } from './safety.js';

export interface ApplyOptions {
  /** The etcd user the backend acts as (its certificate's CN), for the lock-out refusal. */
  identity?: string;
  /** Asked under the lock with the exact changes about to be sent; false sends none. */
  approve?: (changes: readonly Change[]) => Promise<boolean>;
  onProgress?: (done: number, total: number, change: Change) => void;
}

export interface ApplyReport {
  planned: Change[];
  applied: Change[];
  /** The change that failed and why; the changes after it were not sent. */
  failure?: { change: Change; error: WardenError };
  /** What a fresh plan still finds after the apply (empty when converged). */
  remaining: Change[];
  /** The approver said no: nothing was sent. */
  declined?: boolean;
}

const asWardenError = (error: unknown): WardenError =>
  error instanceof WardenError
    ? error
    : new WardenError(
        'internal',
        error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error),
      );

export async function applyPolicy(
  policy: Policy,
  backend: RbacBackend,
  options: ApplyOptions = {},
): Promise<ApplyReport> {
  const lock = await backend.lock();
  try {
    const live = await backend.readState();
    const planned = planChanges(policy, live);
    assertPlanIsSafe(live, planned, options.identity);
    if (options.approve && !(await options.approve(planned))) {
      return { planned, applied: [], remaining: planned, declined: true };
    }
    const applied: Change[] = [];
    for (const change of planned) {
      const lost = lock.lost();
      if (lost) {
        const error = new WardenError(
          'locked',
          `lost the apply lock (${lost.message}); stopped before: ${describeChange(change)}`,
        );
        return { planned, applied, failure: { change, error }, remaining: planned.slice(applied.length) };
      }
      try {
        await backend.applyChange(change);
      } catch (error) {
        const failure = { change, error: asWardenError(error) };
        return { planned, applied, failure, remaining: planned.slice(applied.length) };
      }
      applied.push(change);
      options.onProgress?.(applied.length, planned.length, change);
    }
    const remaining = planned.length === 0 ? [] : planChanges(policy, await backend.readState());
    return { planned, applied, remaining };
  } finally {
    await lock.release();
  }
}
