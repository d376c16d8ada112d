// TBSCertificate (RFC 5280 §4.1) from pre-encoded parts: assembling bytes, nothing to decide.
import { TAG, time, tlv } from './der.js';
import { extensionsField } from './extensions.js';

export interface TbsCertificateParts {
  /** DER INTEGER. */
  serial: Uint8Array;
  /** DER AlgorithmIdentifier of the issuer's signature. */
  signatureAlgorithm: Uint8Array;
  /** DER Names. */
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** DER SubjectPublicKeyInfo. */
  publicKey: Uint8Array;
  /** Encoded Extension elements. */
  extensions: readonly Uint8Array[];
}

const VERSION_3 = Uint8Array.of(0xa0, 3, TAG.integer, 1, 2);

export const tbsCertificate = (p: TbsCertificateParts): Uint8Array =>
  tlv(
    TAG.sequence,
    VERSION_3,
    p.serial,
    p.signatureAlgorithm,
    p.issuer,
    tlv(TAG.sequence, time(p.notBefore), time(p.notAfter)),
    p.subject,
    p.publicKey,
    extensionsField(p.extensions),
  );
