// Sending one planned change to etcd, as one auth RPC through etcd3's raw auth client. Its
// higher-level wrappers are avoided on purpose: in etcd3 1.1.2 `Role.revoke([...])` grants
// instead of revoking, and `User.create` cannot ask for a user without a password, which ours are.
import type { Etcd3, IPermission } from 'etcd3';
import type { Access } from '../policy/types.js';
import type { V3Change } from '../rbac/change.js';
import { type Etcd3Module, loadEtcd3 } from './etcd3-runtime.js';

const PERM_TYPE: Record<Access, IPermission['permType']> = {
  read: 'Read',
  write: 'Write',
  readwrite: 'Readwrite',
};

/**
 * What etcd answers when the state a change asks for is already there. A change retried after a
 * lost answer (a timeout, a member going away, a leader election) finds its own result; under the
 * apply lock nobody else changes the auth state, and the applier re-reads it at the end anyway.
 */
const alreadyDone = (etcd3: Etcd3Module, change: V3Change, error: unknown): boolean => {
  switch (change.op) {
    case 'add-role':
      return error instanceof etcd3.EtcdRoleExistsError;
    case 'add-user':
      return error instanceof etcd3.EtcdUserExistsError;
    case 'delete-role':
      return error instanceof etcd3.EtcdRoleNotFoundError;
    case 'delete-user':
      return error instanceof etcd3.EtcdUserNotFoundError;
    case 'revoke-role':
      return error instanceof etcd3.EtcdRoleNotGrantedError;
    case 'revoke-permission':
      return error instanceof Error && /permission is not granted to the role/.test(error.message);
    default:
      return false;
  }
};

function send(client: Etcd3, change: V3Change): Promise<unknown> {
  switch (change.op) {
    case 'add-role':
      return client.auth.roleAdd({ name: change.role });
    case 'grant-permission':
      return client.auth.roleGrantPermission({
        name: change.role,
        perm: { permType: PERM_TYPE[change.access], key: change.key, range_end: change.rangeEnd },
      });
    case 'add-user':
      // Certificate-only users: no password, so only a certificate with this CN can act as them.
      return client.auth.userAdd({ name: change.user, options: { no_password: true } });
    case 'grant-role':
      return client.auth.userGrantRole({ user: change.user, role: change.role });
    case 'revoke-role':
      return client.auth.userRevokeRole({ name: change.user, role: change.role });
    case 'revoke-permission':
      // One permission per call, with the exact key and range_end bytes that RoleGet returned.
      return client.auth.roleRevokePermission({
        role: change.role,
        key: change.key,
        range_end: change.rangeEnd,
      });
    case 'delete-user':
      return client.auth.userDelete({ name: change.user });
    case 'delete-role':
      return client.auth.roleDelete({ role: change.role });
    case 'enable-auth':
      return client.auth.authEnable();
    case 'disable-auth':
      return client.auth.authDisable();
  }
}

export async function applyChange(client: Etcd3, change: V3Change): Promise<void> {
  try {
    await send(client, change);
  } catch (error) {
    if (!alreadyDone(await loadEtcd3(), change, error)) throw error;
  }
}
