// Each endpoint's etcd version, read once per command through etcd3's Maintenance.Status. A pool
// of several hosts answers from any one of them, so each endpoint gets a client of its own; with
// one endpoint, the command's own client answers (its connection is then open for what follows,
// instead of a second TLS connection: about 50 ms of every command here).
import type { Etcd3 } from 'etcd3';
import type { ServerVersion } from '../rbac/server-versions.js';
import { connectEtcd, type EtcdConnection } from './connect.js';
import { etcdFailure } from './errors.js';

export type { ServerVersion } from '../rbac/server-versions.js';

/**
 * Short: a member that is down must not hold a command up, nor fail it (the command's own calls
 * go to the members that answer); its version is then not known and not judged.
 */
const VERSION_CALL_MS = 1_000;

export async function readServerVersions(
  connection: EtcdConnection,
  client?: Etcd3,
): Promise<ServerVersion[]> {
  const [only, ...others] = connection.endpoints;
  if (client && only !== undefined && others.length === 0) {
    // The one member: if it cannot be reached or refuses us, neither will the command's calls, so
    // fail here (withEtcd then says why); any other failure leaves its version unknown.
    try {
      return [{ endpoint: only, version: (await client.maintenance.status()).version }];
    } catch (error) {
      const failure = etcdFailure(error, 'reading the server version');
      if (failure.code === 'unavailable' || failure.code === 'forbidden') throw failure;
      return [];
    }
  }
  const answers = await Promise.all(
    connection.endpoints.map(async (endpoint): Promise<ServerVersion | undefined> => {
      const client = await connectEtcd({
        ...connection,
        endpoints: [endpoint],
        callTimeoutMs: VERSION_CALL_MS,
      });
      try {
        const status = await client.maintenance.status();
        return { endpoint, version: status.version };
      } catch {
        return undefined;
      } finally {
        client.close();
      }
    }),
  );
  return answers.filter((a): a is ServerVersion => a !== undefined);
}
