/**
 * RBAC as code: plan, apply, import and verify, free of I/O (the etcd side is shared/etcd).
 *
 *   const live = await readAuthState(client);                     // shared/etcd, an etcd3 client
 *   const changes = planChanges(policy, live);                 // ordered: auth off, adds, removals, auth on
 *   assertPlanIsSafe(live, changes, identity);                 // WardenError('forbidden') on lock-out
 *   await planPolicy(policy, backend, identity, versions)      // the three above + warnings, what every front shows
 *   formatPlan(changes, color) / changes.map(changeToJson)     // `+ role x`, `~`, `-`, summary line
 *   const report = await applyPolicy(policy, etcdBackend(client, identity), { identity, concurrency });
 *   applyInstanceState(policy, backend, { instanceId, state }, options)  // an EC2 event, same loop
 *   applyReportToJson(report)                                  // the one JSON apply report
 *   importPolicy(live, { endpoints, now })                     // { text: the policy's YAML, roles, users }
 *   runProbes(planProbes(policy), userSessions({...}))         // verify; formatMatrix(results, color)
 */
export {
  type ApplyOptions,
  type ApplyReport,
  applyInstanceState,
  applyPolicy,
  phasesOf,
} from './apply.js';
export type { HeldLock, RbacBackend } from './backend.js';
export { type Change, type ChangeKind, changeKind } from './change.js';
export {
  type ApplyReportJson,
  applyReportToJson,
  type ChangeJson,
  changeToJson,
  describeChange,
  formatChange,
  formatPlan,
  summarizeChanges,
  summaryLine,
} from './format-plan.js';
export { importPolicy } from './import.js';
export { type InstanceState, instanceChanges, instanceUsers } from './instance-changes.js';
export { type LivePermission, type LiveState, permissionId } from './live-state.js';
export { desiredPermissions, planChanges } from './plan.js';
export { planPolicy } from './plan-policy.js';
export { covered, effectivePermissions, type Operation, type Probe, planProbes } from './probes.js';
export { assertPlanIsSafe } from './safety.js';
export { simulate } from './simulate.js';
export { templateUserMatcher } from './template-users.js';
export { formatMatrix, mismatches, type ProbeResult, runProbes, type UserSession } from './verify.js';
