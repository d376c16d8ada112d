// The planner: a pure function from the policy and the live auth state to the ordered changes
// that bring etcd to the policy. The order is what keeps access from dropping midway: everything
// that adds comes first (roles, their permissions, users, their roles), then what takes away,
// and auth is switched last, once root is in place.
import { toEtcdRange } from '../policy/keyspan.js';
import { own } from '../policy/own.js';
import { type Access, type Policy, ROOT } from '../policy/types.js';
import type { Change } from './change.js';
import { type LivePermission, type LiveState, permissionId } from './live-state.js';
import { templateUserMatcher } from './template-users.js';
import { planV2Changes } from './v2-plan.js';

const union = (a: Access, b: Access): Access => (a === b ? a : 'readwrite');
const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

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

function planV3Changes(policy: Policy, live: LiveState): Change[] {
  const addRoles: Change[] = [];
  const grants: Change[] = [];
  const addUsers: Change[] = [];
  const grantRoles: Change[] = [];
  const revokeRoles: Change[] = [];
  const revokePermissions: Change[] = [];
  const deleteUsers: Change[] = [];
  const deleteRoles: Change[] = [];
  const auth: Change[] = [];

  // etcd's root role is built in: never created, never diffed, never deleted.
  const declaredRoles = Object.keys(policy.roles)
    .filter((r) => r !== ROOT)
    .sort(byName);
  for (const role of declaredRoles) {
    const want = desiredPermissions(policy, role);
    const have = live.roles.get(role);
    if (!have) addRoles.push({ op: 'add-role', role });
    const haveById = new Map((have ?? []).map((p) => [permissionId(p), p]));
    for (const [id, p] of [...want].sort(([a], [b]) => byName(a, b))) {
      const current = haveById.get(id);
      if (current?.access === p.access) continue;
      grants.push({
        op: 'grant-permission',
        role,
        key: p.key,
        rangeEnd: p.rangeEnd,
        access: p.access,
        ...(current ? { previous: current.access } : {}),
      });
    }
    for (const [id, p] of haveById) {
      if (!want.has(id)) revokePermissions.push({ op: 'revoke-permission', role, ...p });
    }
  }

  const removedRoles = new Set<string>();
  if (policy.prune) {
    for (const role of [...live.roles.keys()].sort(byName)) {
      if (role === ROOT || Object.hasOwn(policy.roles, role)) continue;
      removedRoles.add(role);
      deleteRoles.push({ op: 'delete-role', role });
    }
  }

  for (const user of Object.keys(policy.users).sort(byName)) {
    const want = new Set(own(policy.users, user)?.roles ?? []);
    const have = live.users.get(user);
    if (!have) addUsers.push({ op: 'add-user', user });
    for (const role of [...want].sort(byName)) {
      if (!have?.includes(role)) grantRoles.push({ op: 'grant-role', user, role });
    }
    for (const role of have ?? []) {
      // Deleting a role takes it from its holders too; root keeps the root role whatever is written.
      if (want.has(role) || removedRoles.has(role) || (user === ROOT && role === ROOT)) continue;
      revokeRoles.push({ op: 'revoke-role', user, role });
    }
  }

  if (policy.prune) {
    const fromTemplate = templateUserMatcher(Object.values(policy.templates));
    for (const user of [...live.users.keys()].sort(byName)) {
      if (user === ROOT || Object.hasOwn(policy.users, user) || fromTemplate(user)) continue;
      deleteUsers.push({ op: 'delete-user', user });
    }
  }

  if (policy.auth === 'enabled' && !live.authEnabled) auth.push({ op: 'enable-auth' });
  if (policy.auth === 'disabled' && live.authEnabled) auth.push({ op: 'disable-auth' });

  return [
    ...addRoles,
    ...grants,
    ...addUsers,
    ...grantRoles,
    ...revokeRoles,
    ...revokePermissions,
    ...deleteUsers,
    ...deleteRoles,
    ...auth,
  ];
}
