// Each endpoint's etcd version, read once per command through etcd3's Maintenance.Status. A pool
// of several hosts answers from any one of them, so each endpoint gets a client of its own.
import type { ServerVersion } from '../rbac/server-versions.js';
import { connectEtcd, type EtcdConnection } from './connect.js';

export type { ServerVersion } from '../rbac/server-versions.js';

/**
 * Short: a member that is down must not hold a command up, nor fail it (the command's own calls
 * go to the members that answer); its version is then not known and not judged.
 */
const VERSION_CALL_MS = 1_000;

export async function readServerVersions(connection: EtcdConnection): Promise<ServerVersion[]> {
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
