// One auth change the applier sends to etcd. Every change costs etcd a rebuild of all users'
// permissions, so the planner emits only changes that alter something.
import type { Access } from '../policy/types.js';
import type { V2Access } from './v2-live-state.js';

export type Change =
  | { op: 'add-role'; role: string }
  /** `previous` set: a re-grant on a range the role already has, replacing its access in one step. */
  | { op: 'grant-permission'; role: string; key: Buffer; rangeEnd: Buffer; access: Access; previous?: Access }
  | { op: 'add-user'; user: string }
  | { op: 'grant-role'; user: string; role: string }
  | { op: 'revoke-role'; user: string; role: string }
  | { op: 'revoke-permission'; role: string; key: Buffer; rangeEnd: Buffer; access: Access }
  | { op: 'delete-user'; user: string }
  | { op: 'delete-role'; role: string }
  | { op: 'enable-auth' }
  | { op: 'disable-auth' }
  | V2Change;

/**
 * A change to etcd's v2 auth store (its HTTP API): a role's grant is one path glob for one of read
 * or write. A new user's password is drawn when it is sent, so no plan ever holds one.
 */
export type V2Change =
  | { op: 'v2-add-role'; role: string }
  | { op: 'v2-grant-path'; role: string; path: string; access: V2Access }
  | { op: 'v2-add-user'; user: string }
  | { op: 'v2-grant-role'; user: string; role: string }
  | { op: 'v2-revoke-role'; user: string; role: string }
  | { op: 'v2-revoke-path'; role: string; path: string; access: V2Access }
  | { op: 'v2-delete-user'; user: string }
  | { op: 'v2-delete-role'; role: string }
  | { op: 'v2-enable-auth' }
  | { op: 'v2-disable-auth' };

/** A change to the v3 store, sent through etcd3. */
export type V3Change = Exclude<Change, V2Change>;

export const isV2Change = (change: Change): change is V2Change => change.op.startsWith('v2-');

export type ChangeKind = 'add' | 'change' | 'remove';

export function changeKind(change: Change): ChangeKind {
  switch (change.op) {
    case 'add-role':
    case 'add-user':
    case 'grant-role':
    case 'enable-auth':
    case 'v2-add-role':
    case 'v2-grant-path':
    case 'v2-add-user':
    case 'v2-grant-role':
    case 'v2-enable-auth':
      return 'add';
    case 'grant-permission':
      return change.previous ? 'change' : 'add';
    default:
      return 'remove';
  }
}
