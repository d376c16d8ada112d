// The applier's view of a real etcd cluster: v3 through one etcd3 client, and, when the cluster
// serves it, v2's auth store over its HTTP API with the same client certificate.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Etcd3 } from 'etcd3';
import type { RbacBackend } from '../rbac/backend.js';
import { isV2Change } from '../rbac/change.js';
import { applyChange } from './apply-change.js';
import { acquireApplyLock, type LockOptions } from './apply-lock.js';
import { type EtcdConnection, withEtcd } from './connect.js';
import { etcdFailure } from './errors.js';
import { readAuthState } from './read-auth-state.js';
import { readServerVersions, type ServerVersion } from './server-versions.js';
import { applyV2Change, type RandomBytes, readV2State } from './v2-auth.js';
import { type V2Http, v2Http } from './v2-http.js';

/**
 * Changes in flight at once within a phase (see ApplyOptions.concurrency). Measured here with
 * 500 roles + 500 users: 32, 64, 256 and 1,024 all take about the same time, because etcd's apply
 * loop is the bottleneck, so the smaller number in that plateau.
 */
export const APPLY_CONCURRENCY = 64;

/** v2 access for the backend; its randomness draws the v2 users' passwords. */
export interface V2Access {
  http: V2Http;
  randomBytes?: RandomBytes;
}

export function etcdBackend(
  client: Etcd3,
  identity: string,
  lockOptions: LockOptions = {},
  v2?: V2Access,
): RbacBackend {
  return {
    readState: async () => {
      const [v3, v2State] = await Promise.all([readAuthState(client), v2 ? readV2State(v2.http) : undefined]);
      return v2State ? { ...v3, v2: v2State } : v3;
    },
    applyChange: async (change) => {
      if (isV2Change(change)) {
        if (!v2) throw new Error('a v2 change without v2 access');
        return applyV2Change(v2.http, change, v2.randomBytes ?? randomBytes);
      }
      try {
        await applyChange(client, change);
      } catch (error) {
        // The report pairs this error with its change: naming the change here would say it twice.
        throw etcdFailure(error, 'applying the change');
      }
    },
    lock: () =>
      acquireApplyLock(
        client,
        { identity, host: hostname(), pid: process.pid, since: new Date().toISOString() },
        lockOptions,
      ),
  };
}

/** Everything a command needs of a cluster, from one place: v3, v2, and each endpoint's version. */
export interface ClusterAccess {
  client: Etcd3;
  backend: RbacBackend;
  versions: ServerVersion[];
}

/**
 * Runs `fn` with the cluster's v3 client, a backend reaching v2 too, and the servers' versions,
 * read once. v2 is always reached for: a policy without v2 still plans its teardown.
 */
export function withClusterAccess<T>(
  connection: EtcdConnection & { identity: string },
  lockOptions: LockOptions,
  fn: (access: ClusterAccess) => Promise<T>,
): Promise<T> {
  return withEtcd(connection, async (client) => {
    const versions = await readServerVersions(connection, client);
    const backend = etcdBackend(client, connection.identity, lockOptions, { http: v2Http(connection) });
    return fn({ client, backend, versions });
  });
}
