// Sending one planned change to etcd, as one auth RPC.
import type { Etcd3, IPermission } from 'etcd3';
import type { Access } from '../policy/types.js';
import type { Change } from '../rbac/change.js';
import { loadEtcd3 } from './etcd3-runtime.js';

const PERM_TYPE: Record<Access, IPermission['permType']> = {
  read: 'Read',
  write: 'Write',
  readwrite: 'Readwrite',
};

export async function applyChange(client: Etcd3, change: Change): Promise<void> {
  const { EtcdRoleExistsError, EtcdUserExistsError } = await loadEtcd3();
  switch (change.op) {
    case 'add-role':
      return tolerate(EtcdRoleExistsError, client.auth.roleAdd({ name: change.role }));
    case 'grant-permission':
      await client.auth.roleGrantPermission({
        name: change.role,
        perm: { permType: PERM_TYPE[change.access], key: change.key, range_end: change.rangeEnd },
      });
      return;
    case 'add-user':
      // Certificate-only users: no password, so only a certificate with this CN can act as them.
      return tolerate(
        EtcdUserExistsError,
        client.auth.userAdd({ name: change.user, options: { no_password: true } }),
      );
    case 'grant-role':
      await client.auth.userGrantRole({ user: change.user, role: change.role });
      return;
    case 'revoke-role':
      await client.auth.userRevokeRole({ name: change.user, role: change.role });
      return;
    case 'revoke-permission':
      // etcd matches the exact key and range_end bytes that RoleGet returned.
      await client.auth.roleRevokePermission({
        role: change.role,
        key: change.key,
        range_end: change.rangeEnd,
      });
      return;
    case 'delete-user':
      await client.auth.userDelete({ name: change.user });
      return;
    case 'delete-role':
      await client.auth.roleDelete({ role: change.role });
      return;
    case 'enable-auth':
      await client.auth.authEnable();
      return;
    case 'disable-auth':
      await client.auth.authDisable();
      return;
  }
}

/**
 * An add retried after a lost answer (a timeout, a member going away) finds its own result: the
 * name already exists, which is the state asked for. Under the apply lock nobody else adds.
 */
async function tolerate(kind: new (...args: never[]) => Error, call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof kind)) throw error;
  }
}
