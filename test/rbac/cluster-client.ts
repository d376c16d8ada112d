// etcd clients for integration tests: as root (the harness's certificate) or as any user.
import { readFileSync } from 'node:fs';
import type { Etcd3 } from 'etcd3';
import { connectEtcd } from '../../shared/etcd/connect.js';
import { issueClientCertificate, nodePkiContext } from '../../shared/pki/index.js';
import type { EtcdCluster } from '../support/etcd-cluster.js';

export const rootClient = (cluster: EtcdCluster, callTimeoutMs = 3_000): Promise<Etcd3> =>
  connectEtcd({
    endpoints: cluster.endpoints,
    caPem: cluster.caPem,
    certPem: readFileSync(cluster.root.cert, 'utf8'),
    keyPem: readFileSync(cluster.root.key, 'utf8'),
    callTimeoutMs,
  });

export async function userClient(cluster: EtcdCluster, user: string): Promise<Etcd3> {
  const issued = await issueClientCertificate(cluster.ca, user, nodePkiContext(), 600);
  return await connectEtcd({
    endpoints: cluster.endpoints,
    caPem: cluster.caPem,
    certPem: issued.certificatePem,
    keyPem: issued.privateKeyPem,
    callTimeoutMs: 3_000,
  });
}
