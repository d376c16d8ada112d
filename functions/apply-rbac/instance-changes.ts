/**
 * The changes that give an EC2 instance its template users (running) or take them away
 * (terminated), against the live state: only what differs, so a repeated event changes nothing.
 * Deleting the user revokes its certificate at once: etcd refuses a CN that is no user.
 */

import { INSTANCE_ID } from '../../shared/policy/requesters.js';
import type { Policy } from '../../shared/policy/types.js';
import type { Change } from '../../shared/rbac/change.js';
import type { LiveState } from '../../shared/rbac/live-state.js';

/** The user each template makes for this instance, with its roles. */
export const instanceUsers = (policy: Policy, instanceId: string): { user: string; roles: string[] }[] =>
  Object.values(policy.templates).map((t) => ({
    user: t.user.replaceAll(INSTANCE_ID, instanceId),
    roles: t.roles,
  }));

export function instanceChanges(
  policy: Policy,
  live: LiveState,
  instanceId: string,
  state: 'running' | 'terminated',
): Change[] {
  const changes: Change[] = [];
  for (const { user, roles } of instanceUsers(policy, instanceId)) {
    const held = live.users.get(user);
    if (state === 'terminated') {
      if (held) changes.push({ op: 'delete-user', user });
      continue;
    }
    if (!held) changes.push({ op: 'add-user', user });
    for (const role of roles) if (!held?.includes(role)) changes.push({ op: 'grant-role', user, role });
  }
  return changes;
}
