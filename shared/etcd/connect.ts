// Opening an etcd client: TLS with a client certificate and nothing else. A password or token
// login would override the certificate's CN as the identity, so none is ever configured.
import type { Etcd3 } from 'etcd3';
import { loadEtcd3 } from './etcd3-runtime.js';
import { faultHandling } from './fault-handling.js';

export interface EtcdConnection {
  endpoints: string[];
  caPem: string;
  certPem: string;
  keyPem: string;
  /** Deadline of each call; a cluster without quorum makes calls hang until it passes. */
  callTimeoutMs?: number;
}

export const DEFAULT_CALL_TIMEOUT_MS = 5_000;

export async function connectEtcd(connection: EtcdConnection): Promise<Etcd3> {
  const callTimeoutMs = connection.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const { Etcd3 } = await loadEtcd3();
  return new Etcd3({
    hosts: connection.endpoints,
    credentials: {
      rootCertificate: Buffer.from(connection.caPem),
      certChain: Buffer.from(connection.certPem),
      privateKey: Buffer.from(connection.keyPem),
    },
    dialTimeout: callTimeoutMs,
    defaultCallOptions: (context) =>
      // Streams (lease keep-alives) live as long as they are needed; unary calls get a deadline.
      context.isStream ? {} : { deadline: Date.now() + callTimeoutMs },
    faultHandling: faultHandling(connection.endpoints.length, callTimeoutMs * 2),
  });
}
