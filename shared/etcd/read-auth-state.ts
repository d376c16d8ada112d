// Reading etcd's whole auth state: every role with its permissions, every user with its roles,
// and whether auth is on. One RPC per role and per user, a bounded number in flight.
import type { Etcd3, IPermission } from 'etcd3';
import { type Access, ROOT } from '../policy/types.js';
import type { LivePermission, LiveState } from '../rbac/live-state.js';
import { mapBounded } from './bounded.js';
import { etcdFailure } from './errors.js';
import { loadEtcd3 } from './etcd3-runtime.js';

export const READ_CONCURRENCY = 512;

const ACCESS: Record<IPermission['permType'], Access> = {
  Read: 'read',
  Write: 'write',
  Readwrite: 'readwrite',
};

const toLive = (p: IPermission): LivePermission => ({
  key: Buffer.from(p.key ?? []),
  rangeEnd: Buffer.from(p.range_end ?? []),
  access: ACCESS[p.permType],
});

/**
 * etcd 3.5 answers AuthStatus; 3.4 does not have it. There, Authenticate with a name no user
 * has says "authentication is not enabled" when auth is off and fails without side effects
 * (no token, no raft entry) when it is on.
 */
export async function isAuthEnabled(client: Etcd3): Promise<boolean> {
  try {
    const status = (await client.auth.authStatus()) as { enabled?: boolean };
    return status.enabled === true;
  } catch (error) {
    if (!(error instanceof (await loadEtcd3()).GRPCNotImplementedError)) throw error;
  }
  try {
    await client.auth.authenticate({ name: '\u0000etcd-warden-probe', password: '\u0000' });
    return true;
  } catch (error) {
    if (/authentication is not enabled/.test((error as Error).message)) return false;
    if (/authentication failed/.test((error as Error).message)) return true;
    throw error;
  }
}

export async function readAuthState(client: Etcd3, concurrency = READ_CONCURRENCY): Promise<LiveState> {
  try {
    const [authEnabled, roleList, userList] = await Promise.all([
      isAuthEnabled(client),
      client.auth.roleList(),
      client.auth.userList(),
    ]);
    const roleNames = roleList.roles.filter((r) => r !== ROOT);
    const half = Math.max(1, Math.floor(concurrency / 2));
    const [perms, held] = await Promise.all([
      mapBounded(roleNames, half, async (role) => (await client.auth.roleGet({ role })).perm.map(toLive)),
      mapBounded(userList.users, half, async (name) => (await client.auth.userGet({ name })).roles),
    ]);
    return {
      authEnabled,
      roles: new Map(roleNames.map((name, i) => [name, perms[i] ?? []])),
      users: new Map(userList.users.map((name, i) => [name, held[i] ?? []])),
    };
  } catch (error) {
    throw etcdFailure(error, 'reading the auth state');
  }
}
