// What plan or apply did, in the same shape whether etcd was reached directly or through the
// apply-rbac function: changes as JSON (the form the function returns), ready for the summary.
import type { ChangeJson } from '../../shared/rbac/format-plan.js';

export interface RbacOutcome {
  command: 'plan' | 'apply';
  /** The etcd identity (direct) or the function name that did the work. */
  via: string;
  /** What the plan found; for apply, what it set out to do. */
  planned: ChangeJson[];
  /** apply only: the changes etcd accepted. */
  applied?: ChangeJson[];
  /** apply only: the change that failed; the ones after it were not sent. */
  failure?: { change?: ChangeJson; code: string; message: string };
  /** apply only: what still differs afterwards (empty when etcd matches the policy). */
  remaining?: ChangeJson[];
}

/** The number the `changes` output reports: pending changes for plan, applied ones for apply. */
export const changeCount = (outcome: RbacOutcome): number =>
  outcome.command === 'plan' ? outcome.planned.length : (outcome.applied?.length ?? 0);
