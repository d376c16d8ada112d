// The plan every front shows (CLI, Action, apply-rbac): the live state read, the changes planned,
// the same refusal apply would make, so that a plan which could never be applied fails review,
// and what people should know about the servers.
import type { Policy } from '../policy/types.js';
import type { RbacBackend } from './backend.js';
import type { Change } from './change.js';
import { planChanges } from './plan.js';
import { assertPlanIsSafe } from './safety.js';
import { assertServerCanApply, type ServerVersion, versionWarnings } from './server-versions.js';
import { v2HasContent } from './v2-live-state.js';

/**
 * The plan for `identity`, with the servers' warnings (versions read once per command). Throws
 * WardenError('forbidden') when apply would refuse the plan (see assertPlanIsSafe), and
 * 'invalid-input' when it adds users and a server cannot hold certificate-only users.
 */
export async function planPolicy(
  policy: Policy,
  backend: Pick<RbacBackend, 'readState'>,
  identity: string,
  versions: readonly ServerVersion[],
): Promise<{ changes: Change[]; warnings: string[] }> {
  const live = await backend.readState();
  const changes = planChanges(policy, live);
  assertServerCanApply(versions, changes);
  assertPlanIsSafe(live, changes, identity);
  return { changes, warnings: versionWarnings(versions, v2HasContent(live.v2)) };
}
