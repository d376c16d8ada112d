// The planner: a pure function from the policy and the live auth state to the ordered changes
// that bring etcd to the policy. The order is what keeps access from dropping midway: everything
// that adds comes first (roles, their permissions, users, their roles), then what takes away;
// auth is switched on last, once root is in place, and off first (plan-steps.ts).
import { toEtcdRange } from '../policy/keyspan.js';
import { own } from '../policy/own.js';
import { type Access, type Policy, ROOT } from '../policy/types.js';
import type { Change } from './change.js';
import { type LivePermission, type LiveState, permissionId } from './live-state.js';
import { byName, declaredRoles, PlanSteps, planUsers, prunedRoles, type UserChanges } from './plan-steps.js';
import { planV2Changes } from './v2-plan.js';

const union = (a: Access, b: Access): Access => (a === b ? a : 'readwrite');

/** The permissions a policy role means in etcd, one per range (two grants on one range merge). */
export function desiredPermissions(policy: Policy, role: string): Map<string, LivePermission> {
  const merged = new Map<string, LivePermission>();
  for (const { span, access } of own(policy.roles, role)?.permissions ?? []) {
    const range = toEtcdRange(span);
    const id = permissionId(range);
    const seen = merged.get(id);
    merged.set(id, { ...range, access: seen ? union(seen.access, access) : access });
  }
  return merged;
}

/** v3's changes, then v2's (each store in its own safe order; they grant nothing to each other). */
export function planChanges(policy: Policy, live: LiveState): Change[] {
  return [
    ...(policy.apis.includes('v3') ? planV3Changes(policy, live) : []),
    ...planV2Changes(policy, live.v2),
  ];
}

const v3UserChanges: UserChanges<Change> = {
  addUser: (user) => ({ op: 'add-user', user }),
  grantRole: (user, role) => ({ op: 'grant-role', user, role }),
  revokeRole: (user, role) => ({ op: 'revoke-role', user, role }),
  deleteUser: (user) => ({ op: 'delete-user', user }),
};

function planV3Changes(policy: Policy, live: LiveState): Change[] {
  const steps = new PlanSteps<Change>();
  for (const role of declaredRoles(policy)) {
    const want = desiredPermissions(policy, role);
    const have = live.roles.get(role);
    if (!have) steps.addRoles.push({ op: 'add-role', role });
    const haveById = new Map((have ?? []).map((p) => [permissionId(p), p]));
    for (const [id, p] of [...want].sort(([a], [b]) => byName(a, b))) {
      const current = haveById.get(id);
      if (current?.access === p.access) continue;
      steps.grants.push({
        op: 'grant-permission',
        role,
        key: p.key,
        rangeEnd: p.rangeEnd,
        access: p.access,
        ...(current ? { previous: current.access } : {}),
      });
    }
    for (const [id, p] of haveById) {
      if (!want.has(id)) steps.revokeGrants.push({ op: 'revoke-permission', role, ...p });
    }
  }

  const deletedRoles = new Set(prunedRoles(policy, live.roles.keys(), (role) => role === ROOT));
  for (const role of deletedRoles) steps.deleteRoles.push({ op: 'delete-role', role });
  planUsers(policy, live.users, steps, v3UserChanges, { deletedRoles });

  if (policy.auth === 'enabled' && !live.authEnabled) steps.authOn.push({ op: 'enable-auth' });
  if (policy.auth === 'disabled' && live.authEnabled) steps.authOff.push({ op: 'disable-auth' });
  return steps.inOrder();
}
