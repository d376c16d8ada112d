// What plan or apply did, in the same shape whether etcd was reached directly or through the
// apply-rbac function: changes as JSON (the form the function returns), ready for the summary.
import type { ApplyReportJson, ChangeJson } from '../../shared/rbac/format-plan.js';

/** The plan; for apply also the core's apply report (applyReportToJson) in full. */
export type RbacOutcome = {
  command: 'plan' | 'apply';
  /** The etcd identity (direct) or the function name that did the work. */
  via: string;
  /** What the plan found; for apply, what it set out to do. */
  planned: ChangeJson[];
} & Partial<Omit<ApplyReportJson, 'planned'>>;

/** The number the `changes` output reports: pending changes for plan, applied ones for apply. */
export const changeCount = (outcome: RbacOutcome): number =>
  outcome.command === 'plan' ? outcome.planned.length : (outcome.applied?.length ?? 0);
