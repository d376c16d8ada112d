// The applier: under the cluster-wide lock, read the live state, plan, refuse unsafe plans, send
// the changes in order, stop at the first failure or once the lock is lost, and re-read to confirm
// convergence. A crash anywhere leaves a state the planner converges from, because every change is
// one idempotent step toward the policy and grants precede revocations. A whole policy and an EC2
// instance's template users go through this same loop; only what is planned differs.
import { WardenError } from '../errors.js';
import type { Policy } from '../policy/types.js';
import type { RbacBackend } from './backend.js';
import { type Change, isV2Change } from './change.js';
import { type InstanceState, instanceChanges } from './instance-changes.js';
import type { LiveState } from './live-state.js';
import { planChanges } from './plan.js';
import { assertPlanIsSafe } from './safety.js';
import { assertServerCanApply, type ServerVersion, versionWarnings } from './server-versions.js';
import { v2HasContent } from './v2-live-state.js';

export interface ApplyOptions {
  /** The etcd user the backend acts as (its certificate's CN), for the lock-out refusal. */
  identity?: string;
  /** Asked under the lock with the exact changes about to be sent; false sends none. */
  approve?: (changes: readonly Change[]) => Promise<boolean>;
  onProgress?: (done: number, total: number, change: Change) => void;
  /**
   * Changes of one phase (consecutive changes of the same kind, which never depend on each other)
   * sent at once. etcd then commits them together, one disk sync for many, instead of one each.
   */
  concurrency?: number;
  /** The servers' versions (read once per command): refused when too old, warned about in the report. */
  versions?: readonly ServerVersion[];
}

export interface ApplyReport {
  planned: Change[];
  applied: Change[];
  /** The change that failed and why; the changes after it were not sent. */
  failure?: { change: Change; error: WardenError };
  /**
   * What is still to do: after a failure, the planned changes not applied; otherwise what a fresh
   * plan finds on re-reading etcd (empty when converged).
   */
  remaining: Change[];
  /** The approver said no: nothing was sent. */
  declined?: boolean;
  /** For people: known RBAC flaws of the servers' versions, upgrade blockers (server-versions.ts). */
  warnings: string[];
}

const asWardenError = (error: unknown): WardenError =>
  error instanceof WardenError
    ? error
    : new WardenError(
        'internal',
        error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error),
      );

/** Brings etcd to the policy. */
export const applyPolicy = (
  policy: Policy,
  backend: RbacBackend,
  options: ApplyOptions = {},
): Promise<ApplyReport> => applyUnderLock(backend, (live) => planChanges(policy, live), options);

/** Creates (running) or deletes (terminated) the template users of one EC2 instance. */
export const applyInstanceState = (
  policy: Policy,
  backend: RbacBackend,
  instance: { instanceId: string; state: InstanceState },
  options: ApplyOptions = {},
): Promise<ApplyReport> =>
  applyUnderLock(
    backend,
    (live) => instanceChanges(policy, live, instance.instanceId, instance.state),
    options,
  );

async function applyUnderLock(
  backend: RbacBackend,
  planFor: (live: LiveState) => Change[],
  options: ApplyOptions,
): Promise<ApplyReport> {
  const versions = options.versions ?? [];
  const warningsFor = (live: LiveState): string[] => versionWarnings(versions, v2HasContent(live.v2));
  const lock = await backend.lock();
  try {
    const live = await backend.readState();
    const planned = planFor(live);
    assertServerCanApply(versions, planned);
    assertPlanIsSafe(live, planned, options.identity);
    if (options.approve && !(await options.approve(planned))) {
      return { planned, applied: [], remaining: planned, declined: true, warnings: warningsFor(live) };
    }
    const applied: Change[] = [];
    let failure: ApplyReport['failure'];
    for (const phase of phasesOf(planned)) {
      // v2 updates a role or a user by reading and writing it whole: two at once lose one.
      const limit = phase[0] && isV2Change(phase[0]) ? 1 : (options.concurrency ?? 1);
      failure = await runPhase(phase, limit, async (change) => {
        const lost = lock.lost();
        if (lost) throw new WardenError('locked', `lost the apply lock (${lost.message}); stopped`);
        await backend.applyChange(change);
        applied.push(change);
        options.onProgress?.(applied.length, planned.length, change);
      });
      if (failure) {
        const done = new Set(applied);
        return {
          planned,
          applied,
          failure,
          remaining: planned.filter((c) => !done.has(c)),
          warnings: warningsFor(live),
        };
      }
    }
    const after = planned.length === 0 ? live : await backend.readState();
    const remaining = planned.length === 0 ? [] : planFor(after);
    return { planned, applied, remaining, warnings: warningsFor(after) };
  } finally {
    await lock.release();
  }
}

/** Runs of consecutive changes with the same op: the planner's ordered phases. */
export function phasesOf(changes: readonly Change[]): Change[][] {
  const phases: Change[][] = [];
  for (const change of changes) {
    const last = phases.at(-1);
    if (last && last[0]?.op === change.op) last.push(change);
    else phases.push([change]);
  }
  return phases;
}

/** Sends a phase with at most `limit` in flight; after a failure starts nothing new and reports it. */
async function runPhase(
  phase: readonly Change[],
  limit: number,
  send: (change: Change) => Promise<void>,
): Promise<ApplyReport['failure']> {
  let next = 0;
  let failure: ApplyReport['failure'];
  const worker = async (): Promise<void> => {
    while (!failure && next < phase.length) {
      const change = phase[next++] as Change;
      try {
        await send(change);
      } catch (error) {
        failure ??= { change, error: asWardenError(error) };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, phase.length)) }, worker));
  return failure;
}
