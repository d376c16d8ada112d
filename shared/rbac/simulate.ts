// What etcd's auth state becomes after a list of changes, computed the way etcd computes it.
// The safety checks judge a plan by this end state, and tests use it to prove convergence.
import type { Change } from './change.js';
import { type LivePermission, type LiveState, permissionId } from './live-state.js';

export function simulate(live: LiveState, changes: readonly Change[]): LiveState {
  const roles = new Map([...live.roles].map(([name, perms]) => [name, [...perms]]));
  const users = new Map([...live.users].map(([name, held]) => [name, [...held]]));
  let authEnabled = live.authEnabled;
  for (const change of changes) {
    switch (change.op) {
      case 'add-role':
        roles.set(change.role, []);
        break;
      case 'grant-permission': {
        const perms = roles.get(change.role) ?? [];
        const granted: LivePermission = { key: change.key, rangeEnd: change.rangeEnd, access: change.access };
        const at = perms.findIndex((p) => permissionId(p) === permissionId(granted));
        if (at >= 0) perms[at] = granted;
        else perms.push(granted);
        roles.set(change.role, perms);
        break;
      }
      case 'revoke-permission':
        roles.set(
          change.role,
          (roles.get(change.role) ?? []).filter((p) => permissionId(p) !== permissionId(change)),
        );
        break;
      case 'delete-role':
        roles.delete(change.role);
        for (const [name, held] of users)
          users.set(
            name,
            held.filter((r) => r !== change.role),
          );
        break;
      case 'add-user':
        users.set(change.user, []);
        break;
      case 'grant-role': {
        const held = users.get(change.user) ?? [];
        if (!held.includes(change.role)) held.push(change.role);
        users.set(change.user, held);
        break;
      }
      case 'revoke-role':
        users.set(
          change.user,
          (users.get(change.user) ?? []).filter((r) => r !== change.role),
        );
        break;
      case 'delete-user':
        users.delete(change.user);
        break;
      case 'enable-auth':
        authEnabled = true;
        break;
      case 'disable-auth':
        authEnabled = false;
        break;
    }
  }
  return { authEnabled, roles, users };
}
