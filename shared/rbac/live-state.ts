// The auth state of a live etcd cluster as the planner sees it: raw key bytes exactly as etcd
// returned them, because revoking a permission needs those exact bytes back.
import type { Access } from '../policy/types.js';
import type { V2LiveState } from './v2-live-state.js';

export interface LivePermission {
  key: Buffer;
  /** Empty: the single key. `\0`: every key from `key` on. Otherwise the exclusive end. */
  rangeEnd: Buffer;
  access: Access;
}

export interface LiveState {
  authEnabled: boolean;
  /** Every role but etcd's built-in root role, whose permissions are never diffed. */
  roles: ReadonlyMap<string, readonly LivePermission[]>;
  /** Every user with the roles it holds, root role included. */
  users: ReadonlyMap<string, readonly string[]>;
  /** The v2 auth store, read when the backend can reach v2; absent when etcd does not serve v2. */
  v2?: V2LiveState;
}

/** Identity of the etcd range a permission is keyed by (etcd replaces a grant on the same pair). */
export const permissionId = (p: { key: Buffer; rangeEnd: Buffer }): string =>
  `${p.key.toString('hex')}:${p.rangeEnd.toString('hex')}`;
