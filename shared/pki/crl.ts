// Certificate revocation lists (RFC 5280 §5) from the policy's `ca.revoked` serials, in the form
// etcd reads with --client-crl-file. The policy records serials only, so each entry's
// revocationDate is the CRL's thisUpdate. The CRL number is thisUpdate in Unix seconds: it grows
// with every CRL without any state to keep.
import * as pkijs from 'pkijs';
import { WardenError } from '../errors.js';
import { asn1js } from './asn1.js';
import type { CertificateAuthority } from './certificate-authority.js';
import type { SigningContext } from './context.js';
import { extension } from './extensions.js';
import { OID } from './object-identifiers.js';
import { toPem } from './pem.js';
import { serialFromHex } from './serial.js';
import { signed } from './signed.js';
import { x509Time } from './validity.js';

export const DEFAULT_CRL_VALIDITY_SECONDS = 7 * 86_400;

export interface Crl {
  crlPem: string;
  thisUpdate: Date;
  nextUpdate: Date;
  number: number;
}

const SERIAL_HEX = /^[0-9a-f]{1,40}$/;
const VERSION_2 = 1;

export async function buildCrl(
  ca: CertificateAuthority,
  revoked: readonly string[],
  ctx: Pick<SigningContext, 'now'>,
  validitySeconds = DEFAULT_CRL_VALIDITY_SECONDS,
): Promise<Crl> {
  for (const serial of revoked) {
    if (!SERIAL_HEX.test(serial)) {
      throw new WardenError(
        'invalid-input',
        `revoked serial ${JSON.stringify(serial)} is not lowercase hex of at most 20 bytes`,
      );
    }
  }
  const thisUpdate = new Date(Math.floor(ctx.now().getTime() / 1000) * 1000);
  const nextUpdate = new Date(thisUpdate.getTime() + validitySeconds * 1000);
  const number = thisUpdate.getTime() / 1000;
  const entries = [...new Set(revoked)].map(
    (serial) =>
      new pkijs.RevokedCertificate({
        userCertificate: serialFromHex(serial),
        revocationDate: x509Time(thisUpdate),
      }),
  );
  const crl = new pkijs.CertificateRevocationList({
    version: VERSION_2,
    issuer: ca.name,
    thisUpdate: x509Time(thisUpdate),
    nextUpdate: x509Time(nextUpdate),
    // RFC 5280 §5.1.2.6: with no revoked certificates, the list must be absent (not empty).
    ...(entries.length > 0 ? { revokedCertificates: entries } : {}),
    crlExtensions: new pkijs.Extensions({
      extensions: [
        ca.authorityKeyIdExtension,
        extension(OID.crlNumber, false, asn1js.Integer.fromBigInt(BigInt(number))),
      ],
    }),
  });
  return { crlPem: toPem('X509 CRL', await signed(crl, ca.signer)), thisUpdate, nextUpdate, number };
}
