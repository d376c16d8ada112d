// The X.509 v3 extensions of each certificate profile. Fixed parts are encoded once per profile;
// only the key identifiers and the SANs change per certificate.
import { concat, implicit, octetString, smallInteger, TAG, tlv } from './der.js';
import { OID, oidDer } from './oid.js';
import type { PublicKeyKind } from './public-key.js';
import { subjectAltNames } from './subject-alt-names.js';

export type CertificateProfile = 'client' | 'member';

const TRUE = Uint8Array.of(TAG.boolean, 1, 0xff);
const NONE = new Uint8Array(0);

export const extension = (oid: string, critical: boolean, extnValue: Uint8Array): Uint8Array =>
  tlv(TAG.sequence, oidDer(oid), critical ? TRUE : NONE, octetString(extnValue));

// KeyUsage BIT STRINGs, DER (trailing zero bits dropped): digitalSignature(0);
// digitalSignature + keyEncipherment(2) for RSA subjects (TLS 1.2 RSA key exchange); keyCertSign(5) + cRLSign(6).
const KEY_USAGE_SIGNATURE = Uint8Array.of(TAG.bitString, 2, 7, 0x80);
const KEY_USAGE_SIGNATURE_ENCIPHERMENT = Uint8Array.of(TAG.bitString, 2, 5, 0xa0);
const KEY_USAGE_CA = Uint8Array.of(TAG.bitString, 2, 1, 0x06);

// cA DEFAULT FALSE is omitted in DER, leaving an empty SEQUENCE.
const END_ENTITY = extension(OID.basicConstraints, true, tlv(TAG.sequence));
// pathLen 0: this CA signs end-entity certificates only, never another CA.
const CA_BASIC = extension(OID.basicConstraints, true, tlv(TAG.sequence, TRUE, smallInteger(0)));

const extKeyUsage = (purposes: string[]): Uint8Array =>
  extension(OID.extKeyUsage, false, tlv(TAG.sequence, ...purposes.map(oidDer)));
const EKU: Record<CertificateProfile, Uint8Array> = {
  client: extKeyUsage([OID.clientAuth]),
  member: extKeyUsage([OID.serverAuth, OID.clientAuth]),
};

export const subjectKeyIdentifier = (ski: Uint8Array): Uint8Array =>
  extension(OID.subjectKeyIdentifier, false, octetString(ski));

/** AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0] IMPLICIT OCTET STRING } (RFC 5280 §4.2.1.1). */
export const authorityKeyIdentifier = (issuerKeyId: Uint8Array): Uint8Array =>
  extension(OID.authorityKeyIdentifier, false, tlv(TAG.sequence, tlv(implicit(0), issuerKeyId)));

/** The [3] EXPLICIT Extensions wrapper of a TBSCertificate. */
export const extensionsField = (list: readonly Uint8Array[]): Uint8Array =>
  tlv(0xa3, tlv(TAG.sequence, concat(list)));

export function caExtensions(ski: Uint8Array): Uint8Array[] {
  return [
    CA_BASIC,
    extension(OID.keyUsage, true, KEY_USAGE_CA),
    subjectKeyIdentifier(ski),
    authorityKeyIdentifier(ski),
  ];
}

export interface LeafExtensionInput {
  profile: CertificateProfile;
  subjectKey: PublicKeyKind;
  subjectKeyId: Uint8Array;
  /** The CA's encoded authorityKeyIdentifier extension. */
  authorityKeyId: Uint8Array;
  hosts: readonly string[];
}

const USAGE_SIGNATURE = extension(OID.keyUsage, true, KEY_USAGE_SIGNATURE);
const USAGE_SIGNATURE_ENCIPHERMENT = extension(OID.keyUsage, true, KEY_USAGE_SIGNATURE_ENCIPHERMENT);

export function leafExtensions(input: LeafExtensionInput): Uint8Array[] {
  const list = [
    END_ENTITY,
    input.subjectKey === 'rsa' ? USAGE_SIGNATURE_ENCIPHERMENT : USAGE_SIGNATURE,
    EKU[input.profile],
    subjectKeyIdentifier(input.subjectKeyId),
    input.authorityKeyId,
  ];
  if (input.profile === 'member')
    list.push(extension(OID.subjectAltName, false, subjectAltNames(input.hosts)));
  return list;
}
