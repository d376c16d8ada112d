// What etcd's auth state becomes after a list of changes, computed the way etcd computes it.
// The safety checks judge a plan by this end state, and tests use it to prove convergence.
import { ROOT } from '../policy/types.js';
import type { Change } from './change.js';
import { type LivePermission, type LiveState, permissionId } from './live-state.js';
import type { V2LiveState, V2RolePaths } from './v2-live-state.js';

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
  const v2 = live.v2 && simulateV2(live.v2, changes);
  return v2 ? { authEnabled, roles, users, v2 } : { authEnabled, roles, users };
}

const without = (list: readonly string[], item: string): string[] => list.filter((x) => x !== item);

/** The v2 store after the changes; a new v2 user named root holds the root role, as etcd gives it. */
export function simulateV2(live: V2LiveState, changes: readonly Change[]): V2LiveState {
  const roles = new Map<string, V2RolePaths>(live.roles);
  const users = new Map<string, readonly string[]>(live.users);
  let authEnabled = live.authEnabled;
  for (const change of changes) {
    switch (change.op) {
      case 'v2-add-role':
        roles.set(change.role, roles.get(change.role) ?? { read: [], write: [] });
        break;
      case 'v2-grant-path': {
        const paths = roles.get(change.role) ?? { read: [], write: [] };
        const held = paths[change.access];
        roles.set(change.role, {
          ...paths,
          [change.access]: held.includes(change.path) ? held : [...held, change.path],
        });
        break;
      }
      case 'v2-revoke-path': {
        const paths = roles.get(change.role) ?? { read: [], write: [] };
        roles.set(change.role, { ...paths, [change.access]: without(paths[change.access], change.path) });
        break;
      }
      case 'v2-delete-role':
        roles.delete(change.role);
        for (const [name, held] of users) users.set(name, without(held, change.role));
        break;
      case 'v2-add-user':
        users.set(change.user, users.get(change.user) ?? (change.user === ROOT ? [ROOT] : []));
        break;
      case 'v2-grant-role': {
        const held = users.get(change.user) ?? [];
        users.set(change.user, held.includes(change.role) ? held : [...held, change.role]);
        break;
      }
      case 'v2-revoke-role':
        users.set(change.user, without(users.get(change.user) ?? [], change.role));
        break;
      case 'v2-delete-user':
        users.delete(change.user);
        break;
      case 'v2-enable-auth':
        authEnabled = true;
        break;
      case 'v2-disable-auth':
        authEnabled = false;
        break;
    }
  }
  return { authEnabled, roles, users };
}
