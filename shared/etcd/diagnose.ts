// Why an etcd endpoint cannot be reached, in plain words. gRPC reports a failed connection as
// "14 UNAVAILABLE: No connection established" or with OpenSSL's own text
// ("ssl3_get_record:wrong version number", "sslv3 alert bad certificate … SSL alert number 42");
// a TLS handshake of our own, with the same files, tells which side refused what.
import { X509Certificate } from 'node:crypto';
import { connect, type TLSSocket } from 'node:tls';

export interface TlsFiles {
  caPem: string;
  certPem: string;
  keyPem: string;
}

// OpenSSL's and Node's words for each failure, and what they mean to someone holding the files.
const CAUSES: readonly [RegExp, string][] = [
  [
    /wrong version number|packet length too long|unknown protocol|http request/i,
    'it does not speak TLS (a plain-HTTP port?)',
  ],
  [
    /unable to verify|self[- ]signed|local issuer|certificate signature failure|UNABLE_TO_GET_ISSUER/i,
    'its server certificate is not signed by --cacert',
  ],
  [/alert certificate expired|alert number 45\b/i, 'it refused the client certificate: expired'],
  [
    /alert (bad certificate|unknown ca|certificate unknown|certificate required|unsupported certificate)|alert number (42|46|48|43|116)\b/i,
    'it refused the client certificate (signed by another CA, revoked, or not for client use)',
  ],
  [/certificate has expired|CERT_HAS_EXPIRED/i, 'its server certificate has expired'],
  [/not yet valid|CERT_NOT_YET_VALID/i, 'its server certificate is not valid yet (check the clock)'],
  [/altnames|does not match|ERR_TLS_CERT_ALTNAME_INVALID/i, 'its server certificate does not name this host'],
  [/ECONNREFUSED/i, 'nothing listens there (connection refused)'],
  [/EHOSTUNREACH|ENETUNREACH/i, 'no route to the host'],
  [/ENOTFOUND|EAI_AGAIN/i, 'the host name does not resolve'],
  [/ECONNRESET|socket hang up|EPIPE/i, 'it closed the connection during the TLS handshake'],
];

const REFUSED_CLIENT = /^it refused the client certificate \(/;

/** Servers answer an expired client certificate with a generic "bad certificate"; its dates tell. */
function expiredOn(certPem: string, now: Date): string | undefined {
  try {
    const notAfter = new Date(new X509Certificate(certPem).validTo);
    return notAfter < now ? notAfter.toISOString() : undefined;
  } catch {
    return undefined;
  }
}

function causeOf(error: Error & { code?: string }, files: TlsFiles): string {
  const cause =
    CAUSES.find(([pattern]) => pattern.test(`${error.code ?? ''} ${error.message}`))?.[1] ??
    `the TLS connection failed (${(error.message.split('\n')[0] ?? '').slice(0, 80)})`;
  const expired = REFUSED_CLIENT.test(cause) ? expiredOn(files.certPem, new Date()) : undefined;
  return expired ? `it refused the client certificate: it expired at ${expired}` : cause;
}

/** After the handshake a server may still refuse the client certificate: TLS 1.3 says so later. */
const REFUSAL_WINDOW_MS = 300;

/**
 * What stops a TLS connection to `endpoint` (https://HOST:PORT) with these files, or undefined when
 * the handshake succeeds and the server keeps the connection. Bounded by `timeoutMs`.
 */
export function diagnoseEndpoint(
  endpoint: string,
  files: TlsFiles,
  timeoutMs: number,
): Promise<string | undefined> {
  const url = new URL(endpoint);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    let socket: TLSSocket | undefined;
    const done = (cause: string | undefined) => {
      clearTimeout(timer);
      socket?.destroy();
      resolve(cause);
    };
    const timer = setTimeout(() => done(`no answer within ${timeoutMs} ms`), timeoutMs);
    socket = connect({
      host,
      port: Number(url.port || 2379),
      ca: files.caPem,
      cert: files.certPem,
      key: files.keyPem,
      ALPNProtocols: ['h2'],
      ...(/^[\d.:]+$/.test(host) ? {} : { servername: host }),
    });
    socket.once('error', (error) => done(causeOf(error, files)));
    socket.once('secureConnect', () => {
      socket?.once('close', () => done('it closed the connection after the TLS handshake'));
      setTimeout(() => done(undefined), REFUSAL_WINDOW_MS).unref();
    });
  });
}

/** The first endpoint's failure, as "ENDPOINT: cause", or undefined when every endpoint connects. */
export async function diagnoseEndpoints(
  endpoints: readonly string[],
  files: TlsFiles,
  timeoutMs: number,
): Promise<string | undefined> {
  const causes = await Promise.all(endpoints.map((e) => diagnoseEndpoint(e, files, timeoutMs)));
  const failing = causes.map((cause, i) => cause && `${endpoints[i]}: ${cause}`).filter(Boolean);
  // Only when none connects is the connection itself the problem.
  return failing.length === endpoints.length ? failing.join('; ') : undefined;
}
