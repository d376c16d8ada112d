/**
 * The changes that give an EC2 instance its template users (running) or take them away
 * (terminated), against the live state: only what differs, so a repeated event changes nothing.
 * Deleting the user revokes its certificate at once: etcd refuses a CN that is no user.
 */

import { INSTANCE_ID } from '../policy/requesters.js';
import type { Policy } from '../policy/types.js';
import type { Change } from './change.js';
import type { LiveState } from './live-state.js';

/** The user each template makes for this instance, with its roles. */
export const instanceUsers = (policy: Policy, instanceId: string): { user: string; roles: string[] }[] =>
  Object.values(policy.templates).map((t) => ({
    user: t.user.replaceAll(INSTANCE_ID, instanceId),
    roles: t.roles,
  }));

export type InstanceState = 'running' | 'terminated';

export function instanceChanges(
  policy: Policy,
  live: LiveState,
  instanceId: string,
  state: InstanceState,
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
