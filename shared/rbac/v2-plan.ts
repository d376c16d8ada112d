// The v2 half of the planner: the same policy in etcd's v2 auth store, in the same safe order as
// v3 (auth off first, adds, then removals, auth on last). A prefix becomes the path glob `PREFIX*`, a key its exact
// path. v2's guest role serves every request that names no user, and etcd creates it with read and
// write on everything when v2 auth is enabled and it is missing: it is created empty first, or
// emptied, so no request without a user ever gets through.
import { WardenError } from '../errors.js';
import { own } from '../policy/own.js';
import { type Access, type KeySpan, type Policy, ROOT, V2_GUEST } from '../policy/types.js';
import type { V2Change } from './change.js';
import { byName, declaredRoles, PlanSteps, planUsers, prunedRoles, type UserChanges } from './plan-steps.js';
import type { V2Access, V2LiveState, V2RolePaths } from './v2-live-state.js';

const EMPTY: V2RolePaths = { read: [], write: [] };

/**
 * The v2 paths permissions mean: each one's glob, under read, write or both, sorted. A range has no
 * v2 form and is skipped (the policy rules refuse ranges when v2 is on: v2-permission).
 */
export function v2PathsOf(permissions: readonly { span: KeySpan; access: Access }[]): V2RolePaths {
  const read = new Set<string>();
  const write = new Set<string>();
  for (const { span, access } of permissions) {
    const path = span.type === 'prefix' ? `${span.prefix}*` : span.type === 'key' ? span.key : undefined;
    if (path === undefined) continue;
    if (access !== 'write') read.add(path);
    if (access !== 'read') write.add(path);
  }
  return { read: [...read].sort(byName), write: [...write].sort(byName) };
}

/** The v2 paths a policy role means. */
export const desiredV2Paths = (policy: Policy, role: string): V2RolePaths =>
  v2PathsOf(own(policy.roles, role)?.permissions ?? []);

function pathChanges(
  role: string,
  want: V2RolePaths,
  have: V2RolePaths,
): { grants: V2Change[]; revokes: V2Change[] } {
  const grants: V2Change[] = [];
  const revokes: V2Change[] = [];
  for (const access of ['read', 'write'] as V2Access[]) {
    const had = new Set(have[access]);
    const wanted = new Set(want[access]);
    for (const path of want[access]) {
      if (!had.has(path)) grants.push({ op: 'v2-grant-path', role, path, access });
    }
    for (const path of [...had].sort(byName)) {
      if (!wanted.has(path)) revokes.push({ op: 'v2-revoke-path', role, path, access });
    }
  }
  return { grants, revokes };
}

const v2UserChanges: UserChanges<V2Change> = {
  addUser: (user) => ({ op: 'v2-add-user', user }),
  grantRole: (user, role) => ({ op: 'v2-grant-role', user, role }),
  revokeRole: (user, role) => ({ op: 'v2-revoke-role', user, role }),
  deleteUser: (user) => ({ op: 'v2-delete-user', user }),
};

/**
 * The changes that bring etcd's v2 store to the policy. With v2 out of `apis` and `prune: true`,
 * the teardown: v2 auth off, then every v2 user and role gone (a v2 store with content blocks an
 * upgrade to etcd 3.6). Without prune, v2 is left as it is.
 */
export function planV2Changes(policy: Policy, live: V2LiveState | undefined): V2Change[] {
  if (!policy.apis.includes('v2')) return live && policy.prune ? teardown(live) : [];
  if (!live) {
    throw new WardenError(
      'invalid-input',
      'the policy manages the v2 API (apis holds v2), but etcd does not serve it: start etcd with --enable-v2, or drop v2 from apis',
    );
  }
  const steps = new PlanSteps<V2Change>();
  const authWanted = policy.auth === 'enabled';
  for (const role of declaredRoles(policy)) {
    const have = live.roles.get(role);
    if (!have) steps.addRoles.push({ op: 'v2-add-role', role });
    const { grants, revokes } = pathChanges(role, desiredV2Paths(policy, role), have ?? EMPTY);
    steps.grants.push(...grants);
    steps.revokeGrants.push(...revokes);
  }
  if (authWanted) {
    const guest = live.roles.get(V2_GUEST);
    if (guest) steps.revokeGrants.push(...pathChanges(V2_GUEST, EMPTY, guest).revokes);
    // Missing while auth is off: enabling auth would create it open; made empty beforehand.
    else if (!live.authEnabled) steps.addRoles.push({ op: 'v2-add-role', role: V2_GUEST });
  }

  const deletedRoles = new Set(prunedRoles(policy, live.roles.keys(), (role) => role === V2_GUEST));
  for (const role of deletedRoles) steps.deleteRoles.push({ op: 'v2-delete-role', role });
  // v2 gives a new root user the root role itself.
  planUsers(policy, live.users, steps, v2UserChanges, {
    deletedRoles,
    heldOnCreation: (user) => (user === ROOT ? [ROOT] : []),
  });

  if (authWanted && !live.authEnabled) steps.authOn.push({ op: 'v2-enable-auth' });
  if (!authWanted && live.authEnabled) steps.authOff.push({ op: 'v2-disable-auth' });
  return steps.inOrder();
}

/** v2 auth off first: etcd refuses to delete the root user while it is on. */
function teardown(live: V2LiveState): V2Change[] {
  return [
    ...(live.authEnabled ? [{ op: 'v2-disable-auth' } as const] : []),
    ...[...live.users.keys()].sort(byName).map((user): V2Change => ({ op: 'v2-delete-user', user })),
    ...[...live.roles.keys()].sort(byName).map((role): V2Change => ({ op: 'v2-delete-role', role })),
  ];
}
