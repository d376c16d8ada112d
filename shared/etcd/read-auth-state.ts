// Reading etcd's whole auth state: every role with its permissions, every user with its roles,
// and whether auth is on. etcd 3.4 has no bulk read: one raft round trip per role and per user,
// a bounded number in flight.
import type { Etcd3 } from 'etcd3';
import { ROOT } from '../policy/types.js';
import type { LiveState } from '../rbac/live-state.js';
import { authReads } from './auth-reads.js';
import { mapBounded } from './bounded.js';
import { etcdFailure } from './errors.js';

/** Measured at 1,000 roles + 1,000 users: 256 to 1,024 in flight read at etcd's pace. */
export const READ_CONCURRENCY = 512;

export const isAuthEnabled = (client: Etcd3): Promise<boolean> => authReads(client).authEnabled();

export async function readAuthState(client: Etcd3, concurrency = READ_CONCURRENCY): Promise<LiveState> {
  const reads = authReads(client);
  try {
    const [authEnabled, roleList, userNames] = await Promise.all([
      reads.authEnabled(),
      reads.roleNames(),
      reads.userNames(),
    ]);
    const roleNames = roleList.filter((r) => r !== ROOT);
    const half = Math.max(1, Math.floor(concurrency / 2));
    const [perms, held] = await Promise.all([
      mapBounded(roleNames, half, (role) => reads.rolePermissions(role)),
      mapBounded(userNames, half, (user) => reads.userRoles(user)),
    ]);
    return {
      authEnabled,
      roles: new Map(roleNames.map((name, i) => [name, perms[i] ?? []])),
      users: new Map(userNames.map((name, i) => [name, held[i] ?? []])),
    };
  } catch (error) {
    throw etcdFailure(error, 'reading the auth state');
  }
}
