// What the v3 and v2 planners share: the phases of a plan in the order that never drops access
// midway (everything that adds, then what takes away, auth switched on last), and the decisions
// about users and pruned roles, which are the same in both stores; only the change each step makes
// differs. Auth switched off goes first: removing the applying identity or its root role before
// that would leave auth on with nobody allowed to switch it off.
import { own } from '../policy/own.js';
import { type Policy, ROOT } from '../policy/types.js';
import { templateUserMatcher } from './template-users.js';

export const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A plan's phases; `inOrder` is the plan. */
export class PlanSteps<C> {
  readonly authOff: C[] = [];
  readonly addRoles: C[] = [];
  readonly grants: C[] = [];
  readonly addUsers: C[] = [];
  readonly grantRoles: C[] = [];
  readonly revokeRoles: C[] = [];
  readonly revokeGrants: C[] = [];
  readonly deleteUsers: C[] = [];
  readonly deleteRoles: C[] = [];
  readonly authOn: C[] = [];

  inOrder(): C[] {
    return [
      ...this.authOff,
      ...this.addRoles,
      ...this.grants,
      ...this.addUsers,
      ...this.grantRoles,
      ...this.revokeRoles,
      ...this.revokeGrants,
      ...this.deleteUsers,
      ...this.deleteRoles,
      ...this.authOn,
    ];
  }
}

/** The changes one store makes for users and their roles. */
export interface UserChanges<C> {
  addUser(user: string): C;
  grantRole(user: string, role: string): C;
  revokeRole(user: string, role: string): C;
  deleteUser(user: string): C;
}

/** The policy's roles the planner diffs: etcd's root role is built in, never created or diffed. */
export const declaredRoles = (policy: Policy): string[] =>
  Object.keys(policy.roles)
    .filter((r) => r !== ROOT)
    .sort(byName);

/** With prune, the live roles the policy does not declare (never root, nor what `keep` keeps). */
export function prunedRoles(
  policy: Policy,
  live: Iterable<string>,
  keep: (role: string) => boolean,
): string[] {
  if (!policy.prune) return [];
  return [...live].sort(byName).filter((role) => !(keep(role) || Object.hasOwn(policy.roles, role)));
}

/**
 * Every declared user made and given exactly its roles, and with prune every other live user
 * deleted: never root, nor a user a template made. Root keeps the root role whatever is written,
 * and a role being deleted is taken from its holders by the deletion itself.
 */
export function planUsers<C>(
  policy: Policy,
  live: ReadonlyMap<string, readonly string[]>,
  steps: PlanSteps<C>,
  make: UserChanges<C>,
  options: { deletedRoles: ReadonlySet<string>; heldOnCreation?: (user: string) => readonly string[] },
): void {
  for (const user of Object.keys(policy.users).sort(byName)) {
    const want = new Set(own(policy.users, user)?.roles ?? []);
    const exists = live.has(user);
    const have = live.get(user) ?? options.heldOnCreation?.(user) ?? [];
    if (!exists) steps.addUsers.push(make.addUser(user));
    for (const role of [...want].sort(byName)) {
      if (!have.includes(role)) steps.grantRoles.push(make.grantRole(user, role));
    }
    for (const role of have) {
      if (want.has(role) || options.deletedRoles.has(role) || (user === ROOT && role === ROOT)) continue;
      steps.revokeRoles.push(make.revokeRole(user, role));
    }
  }
  if (!policy.prune) return;
  const fromTemplate = templateUserMatcher(Object.values(policy.templates));
  for (const user of [...live.keys()].sort(byName)) {
    if (user === ROOT || Object.hasOwn(policy.users, user) || fromTemplate(user)) continue;
    steps.deleteUsers.push(make.deleteUser(user));
  }
}
