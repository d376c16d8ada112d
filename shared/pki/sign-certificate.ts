// Signing an end-entity certificate for an already-decided profile, name and public key. Callers
// decide *what* may be issued (issue-for-name.ts); this only makes the bytes and enforces lifetimes.
import { WardenError } from '../errors.js';
import { hostKind } from '../policy/hosts.js';
import { unsignedCertificate } from './certificate.js';
import type { CertificateAuthority } from './certificate-authority.js';
import type { SigningContext } from './context.js';
import { type CertificateProfile, leafExtensions } from './extensions.js';
import { toPem } from './pem.js';
import { type AcceptedPublicKey, acceptPublicKey } from './public-key.js';
import { newSerial } from './serial.js';
import { signed } from './signed.js';
import { commonNameSubject } from './subject.js';
import { validityFor } from './validity.js';

export interface SignRequest {
  profile: CertificateProfile;
  commonName: string;
  /** Member certificates: the subjectAltNames (DNS names and IP addresses). */
  hosts?: readonly string[];
  /** The subject's key: DER SubjectPublicKeyInfo, or a key already checked by acceptPublicKey. */
  publicKey: Uint8Array | AcceptedPublicKey;
  ttlSeconds: number;
  limitSeconds: number;
  limitSource: string;
}

export interface IssuedCertificate {
  certificatePem: string;
  /** Lowercase hex without leading zeros. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
}

export async function signCertificate(
  ca: CertificateAuthority,
  request: SignRequest,
  ctx: SigningContext,
): Promise<IssuedCertificate> {
  const hosts = request.hosts ?? [];
  // X.520 ub-common-name: 64 characters. etcd usernames from the policy always fit.
  if (request.commonName.length === 0 || request.commonName.length > 64) {
    throw new WardenError(
      'invalid-input',
      `a common name must have 1 to 64 characters (got ${request.commonName.length})`,
    );
  }
  const badHost = hosts.find((h) => hostKind(h) === undefined);
  if (badHost !== undefined)
    throw new WardenError(
      'invalid-input',
      `${JSON.stringify(badHost)} is neither an IP address nor a DNS name`,
    );
  if (request.profile === 'member' && hosts.length === 0) {
    throw new WardenError(
      'invalid-input',
      `member ${request.commonName} has no hosts for its subjectAltName`,
    );
  }
  if (request.profile === 'client' && hosts.length > 0) {
    throw new WardenError('invalid-input', 'client certificates carry no subjectAltName');
  }
  const key =
    request.publicKey instanceof Uint8Array
      ? acceptPublicKey(request.publicKey, 'the subject key')
      : request.publicKey;
  const { notBefore, notAfter } = validityFor({
    now: ctx.now(),
    ttlSeconds: request.ttlSeconds,
    limitSeconds: request.limitSeconds,
    limitSource: request.limitSource,
    issuer: ca,
  });
  const serial = newSerial(ctx.randomBytes);
  const certificate = unsignedCertificate({
    serial: serial.integer,
    issuer: ca.name,
    subject: commonNameSubject(request.commonName),
    notBefore,
    notAfter,
    publicKey: key.publicKeyInfo,
    extensions: leafExtensions({
      profile: request.profile,
      subjectKey: key,
      authorityKeyId: ca.authorityKeyIdExtension,
      hosts,
    }),
  });
  return {
    certificatePem: toPem('CERTIFICATE', await signed(certificate, ca.signer)),
    serial: serial.hex,
    notBefore,
    notAfter,
  };
}
