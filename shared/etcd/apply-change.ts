// Sending one planned change to etcd, as one auth RPC: through the etcd3 client, or as a raw
// request on the HTTP/2 channel (grpc-channel.ts), which costs the client a fraction of the CPU.
import type { Etcd3, IPermission } from 'etcd3';
import type { Access } from '../policy/types.js';
import type { Change } from '../rbac/change.js';
import { loadEtcd3 } from './etcd3-runtime.js';
import { type GrpcChannel, GrpcCode, GrpcStatusError } from './grpc-channel.js';
import { encodeMessage } from './protobuf-wire.js';

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

// authpb.Permission.Type by access, as numbers on the wire.
const WIRE_PERM_TYPE: Record<Access, number> = { read: 0, write: 1, readwrite: 2 };

/** The Auth method and request message for one change (field numbers from etcd's rpc.proto). */
function authRequest(change: Change): [method: string, message: Buffer] {
  switch (change.op) {
    case 'add-role':
      return ['RoleAdd', encodeMessage([[1, change.role]])];
    case 'grant-permission': {
      const perm = encodeMessage([
        [1, WIRE_PERM_TYPE[change.access]],
        [2, change.key],
        [3, change.rangeEnd],
      ]);
      return [
        'RoleGrantPermission',
        encodeMessage([
          [1, change.role],
          [2, perm],
        ]),
      ];
    }
    case 'add-user':
      // Certificate-only users: options.no_password = true (field 3, its field 1).
      return [
        'UserAdd',
        encodeMessage([
          [1, change.user],
          [3, encodeMessage([[1, 1]])],
        ]),
      ];
    case 'grant-role':
      return [
        'UserGrantRole',
        encodeMessage([
          [1, change.user],
          [2, change.role],
        ]),
      ];
    case 'revoke-role':
      return [
        'UserRevokeRole',
        encodeMessage([
          [1, change.user],
          [2, change.role],
        ]),
      ];
    case 'revoke-permission':
      // etcd matches the exact key and range_end bytes that RoleGet returned.
      return [
        'RoleRevokePermission',
        encodeMessage([
          [1, change.role],
          [2, change.key],
          [3, change.rangeEnd],
        ]),
      ];
    case 'delete-user':
      return ['UserDelete', encodeMessage([[1, change.user]])];
    case 'delete-role':
      return ['RoleDelete', encodeMessage([[1, change.role]])];
    case 'enable-auth':
      return ['AuthEnable', Buffer.alloc(0)];
    case 'disable-auth':
      return ['AuthDisable', Buffer.alloc(0)];
  }
}

/** The same change as applyChange, on the HTTP/2 channel; an add that finds its name taken is done. */
export async function sendChange(channel: GrpcChannel, change: Change): Promise<void> {
  const [method, message] = authRequest(change);
  try {
    await channel.unary(`/etcdserverpb.Auth/${method}`, message);
  } catch (error) {
    const alreadyThere =
      (change.op === 'add-role' || change.op === 'add-user') &&
      error instanceof GrpcStatusError &&
      error.code === GrpcCode.FAILED_PRECONDITION &&
      /name already exists/.test(error.message);
    if (!alreadyThere) throw error;
  }
}
