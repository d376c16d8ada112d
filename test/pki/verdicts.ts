// What the independent judges say, in a form a test can compare exactly: openssl verify's exit
// code with its message, openssl s_client's view of a TLS server, and the key type and
// parameters node:crypto reads from a private key.
import { createPrivateKey } from 'node:crypto';
import { openssl, type Purpose, verify } from '../support/openssl.js';

export interface VerifyVerdict {
  code: number | null;
  /** stdout and stderr, with the scratch directory of the verified file left out. */
  output: string;
}

/** openssl verify's answer for a certificate it accepts: exit code 0 and "OK", nothing else. */
export const VERIFIED: VerifyVerdict = { code: 0, output: 'cert.pem: OK' };

/** `openssl verify -x509_strict -purpose P` (see verify in test/support/openssl.ts), as a verdict. */
export function verifyVerdict(
  caPem: string,
  certPem: string,
  purpose: Purpose,
  extra: string[] = [],
): VerifyVerdict {
  const run = verify(caPem, certPem, purpose, extra);
  return {
    code: run.code,
    output: `${run.stdout}${run.stderr}`.replace(/\S*\/cert\.pem/g, 'cert.pem').trim(),
  };
}

/** Type and parameters of a PEM private key, e.g. { type: 'ec', namedCurve: 'prime256v1' }. */
export function privateKeyDetails(privateKeyPem: string): Record<string, unknown> {
  const key = createPrivateKey(privateKeyPem);
  return { type: key.asymmetricKeyType, ...key.asymmetricKeyDetails };
}

/** What a key generated for the caller must be: ECDSA P-256 (prime256v1). */
export const P256_KEY = { type: 'ec', namedCurve: 'prime256v1' };

export interface HandshakeVerdict {
  code: number | null;
  /** The server certificate's subject, e.g. "CN = etcd-1". */
  peer: string | undefined;
  /** "OK" when the server certificate verified against the CA for the name. */
  verification: string | undefined;
}

/**
 * A TLS handshake by `openssl s_client` with 127.0.0.1:port, presenting a client certificate and
 * requiring the server's to verify against the CA for `serverName`.
 */
export function opensslHandshake(
  port: number,
  serverName: string,
  client: { caFile: string; certFile: string; keyFile: string },
): HandshakeVerdict {
  const run = openssl(
    [
      's_client',
      '-connect',
      `127.0.0.1:${port}`,
      '-servername',
      serverName,
      '-verify_hostname',
      serverName,
      '-verify_return_error',
      '-CAfile',
      client.caFile,
      '-cert',
      client.certFile,
      '-key',
      client.keyFile,
      '-brief',
    ],
    '',
  );
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(run.stderr)?.[1];
  return { code: run.code, peer: field('Peer certificate'), verification: field('Verification') };
}
