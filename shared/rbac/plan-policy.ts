// The plan every front shows (CLI, Action, apply-rbac): the live state read, the changes planned,
// and the same refusal apply would make, so that a plan which could never be applied fails review.
import type { Policy } from '../policy/types.js';
import type { RbacBackend } from './backend.js';
import type { Change } from './change.js';
import { planChanges } from './plan.js';
import { assertPlanIsSafe } from './safety.js';

/** WardenError('forbidden') when apply would refuse the plan for `identity` (see assertPlanIsSafe). */
export async function planPolicy(
  policy: Policy,
  backend: Pick<RbacBackend, 'readState'>,
  identity: string,
): Promise<Change[]> {
  const live = await backend.readState();
  const planned = planChanges(policy, live);
  assertPlanIsSafe(live, planned, identity);
  return planned;
}
