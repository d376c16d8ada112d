// Opening an etcd client: TLS with a client certificate and nothing else. A password or token
// login would override the certificate's CN as the identity, so none is ever configured.
import type { Etcd3 } from 'etcd3';
import { WardenError } from '../errors.js';
import { diagnoseEndpoints } from './diagnose.js';
import { loadEtcd3 } from './etcd3-runtime.js';
import { attemptDeadlineMs, faultHandling } from './fault-handling.js';

export interface EtcdConnection {
  endpoints: string[];
  caPem: string;
  certPem: string;
  keyPem: string;
  /**
   * How long a call keeps trying: attempts of at most this (and at most 2 s), transient failures
   * retried until twice this has passed (fault-handling.ts). A cluster without quorum makes calls
   * fail once it has.
   */
  callTimeoutMs?: number;
}

export const DEFAULT_CALL_TIMEOUT_MS = 5_000;

export async function connectEtcd(connection: EtcdConnection): Promise<Etcd3> {
  silenceIpServerNameWarning();
  const callTimeoutMs = connection.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const attemptMs = attemptDeadlineMs(callTimeoutMs);
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
      context.isStream ? {} : { deadline: Date.now() + attemptMs },
    faultHandling: faultHandling(callTimeoutMs),
  });
}

/**
 * gRPC hands an IP endpoint to TLS as the server name, and Node warns (DEP0123) on every such
 * connection although the certificate is still checked against its IP addresses. etcd endpoints
 * are usually IPs, so every front drops that one warning and keeps every other.
 */
function silenceIpServerNameWarning(): void {
  const emit = process.emitWarning;
  if ((emit as { warden?: true }).warden) return;
  const filtered = ((warning: string | Error, ...rest: unknown[]) => {
    const code = typeof rest[0] === 'object' ? (rest[0] as { code?: string })?.code : rest[1];
    if (code === 'DEP0123') return;
    (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning & { warden?: true };
  filtered.warden = true;
  process.emitWarning = filtered;
}

/** How long the diagnosis of a failed connection may take, on top of the call that failed. */
const DIAGNOSIS_MS = 3_000;

/**
 * Runs `fn` with a client for `connection` and always closes it. When etcd cannot be reached, a
 * TLS handshake of our own with the same files says why, in plain words, naming the endpoints
 * (diagnose.ts): gRPC's own words are OpenSSL's, or just "No connection established".
 */
export async function withEtcd<T>(connection: EtcdConnection, fn: (client: Etcd3) => Promise<T>): Promise<T> {
  const client = await connectEtcd(connection);
  try {
    return await fn(client);
  } catch (error) {
    if (!(error instanceof WardenError) || error.code !== 'unavailable') throw error;
    const cause = await diagnoseEndpoints(connection.endpoints, connection, DIAGNOSIS_MS);
    throw cause ? new WardenError('unavailable', `cannot connect to etcd: ${cause}`, false) : error;
  } finally {
    client.close();
  }
}
