// The v2 auth store as the planner sees it. v2 grants are path globs per role, read and write
// listed apart (etcd's own shape), and its users and roles are separate from v3's.

/** A v2 role's paths: a path ending in `*` covers every key under it, any other path one key. */
export interface V2RolePaths {
  read: readonly string[];
  write: readonly string[];
}

export interface V2LiveState {
  authEnabled: boolean;
  /** Every role but root, whose access v2 fixes; the guest role included when it exists. */
  roles: ReadonlyMap<string, V2RolePaths>;
  /** Every user with the roles it holds. */
  users: ReadonlyMap<string, readonly string[]>;
}

export type V2Access = 'read' | 'write';

/** Whether anything is in the v2 store beyond its empty start: what blocks an upgrade to 3.6. */
export const v2HasContent = (v2: V2LiveState | undefined): v2 is V2LiveState =>
  v2 !== undefined && (v2.authEnabled || v2.users.size > 0 || v2.roles.size > 0);
