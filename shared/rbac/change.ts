// One auth change the applier sends to etcd. Every change costs etcd a rebuild of all users'
// permissions, so the planner emits only changes that alter something.
import type { Access } from '../policy/types.js';

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
  | { op: 'disable-auth' };

export type ChangeKind = 'add' | 'change' | 'remove';

export function changeKind(change: Change): ChangeKind {
  switch (change.op) {
    case 'add-role':
    case 'add-user':
    case 'grant-role':
    case 'enable-auth':
      return 'add';
    case 'grant-permission':
      return change.previous ? 'change' : 'add';
    default:
      return 'remove';
  }
}
