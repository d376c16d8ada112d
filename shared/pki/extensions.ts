// The X.509 v3 extensions of each certificate profile, as pkijs Extensions. The fixed ones are
// built once and shared by every certificate (encoding them never changes them); only the key
// identifiers and the SANs are built per certificate.
import * as pkijs from 'pkijs';
import { asn1js } from './asn1.js';
import { OID } from './object-identifiers.js';
import type { PublicKeyKind } from './public-key.js';
import { subjectAltNames } from './subject-alt-names.js';

export type CertificateProfile = 'client' | 'member';

/** An Extension whose extnValue holds `value`'s DER (critical is written only when true). */
export const extension = (extnID: string, critical: boolean, value: asn1js.AsnType): pkijs.Extension =>
  new pkijs.Extension({ extnID, critical, extnValue: value.toBER() });

// KeyUsage BIT STRINGs with trailing zero bits dropped (DER): digitalSignature(0);
// digitalSignature + keyEncipherment(2) for RSA subjects (TLS 1.2 RSA key exchange); keyCertSign(5) + cRLSign(6).
const keyUsage = (bits: number, unusedBits: number): pkijs.Extension =>
  extension(OID.keyUsage, true, new asn1js.BitString({ valueHex: Uint8Array.of(bits), unusedBits }));
const USAGE_SIGNATURE = keyUsage(0x80, 7);
const USAGE_SIGNATURE_ENCIPHERMENT = keyUsage(0xa0, 5);
const USAGE_CA = keyUsage(0x06, 1);

// cA DEFAULT FALSE is omitted in DER, leaving an empty SEQUENCE.
const END_ENTITY = extension(
  OID.basicConstraints,
  true,
  new pkijs.BasicConstraints({ cA: false }).toSchema(),
);
// pathLen 0: this CA signs end-entity certificates only, never another CA.
const CA_BASIC = extension(
  OID.basicConstraints,
  true,
  new pkijs.BasicConstraints({ cA: true, pathLenConstraint: 0 }).toSchema(),
);

const extKeyUsage = (keyPurposes: string[]): pkijs.Extension =>
  extension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes }).toSchema());
const EKU: Record<CertificateProfile, pkijs.Extension> = {
  client: extKeyUsage([OID.clientAuth]),
  member: extKeyUsage([OID.serverAuth, OID.clientAuth]),
};

const subjectKeyIdentifier = (keyId: Uint8Array): pkijs.Extension =>
  extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyId }));

/** AuthorityKeyIdentifier with its keyIdentifier only (RFC 5280 §4.2.1.1). */
export const authorityKeyIdentifier = (issuerKeyId: Uint8Array): pkijs.Extension =>
  extension(
    OID.authorityKeyIdentifier,
    false,
    new pkijs.AuthorityKeyIdentifier({
      keyIdentifier: new asn1js.OctetString({ valueHex: issuerKeyId }),
    }).toSchema(),
  );

export const caExtensions = (keyId: Uint8Array): pkijs.Extension[] => [
  CA_BASIC,
  USAGE_CA,
  subjectKeyIdentifier(keyId),
  authorityKeyIdentifier(keyId),
];

export interface LeafExtensionInput {
  profile: CertificateProfile;
  subjectKey: PublicKeyKind;
  subjectKeyId: Uint8Array;
  /** The CA's authorityKeyIdentifier extension. */
  authorityKeyId: pkijs.Extension;
  hosts: readonly string[];
}

export function leafExtensions(input: LeafExtensionInput): pkijs.Extension[] {
  const list = [
    END_ENTITY,
    input.subjectKey === 'rsa' ? USAGE_SIGNATURE_ENCIPHERMENT : USAGE_SIGNATURE,
    EKU[input.profile],
    subjectKeyIdentifier(input.subjectKeyId),
    input.authorityKeyId,
  ];
  if (input.profile === 'member')
    list.push(extension(OID.subjectAltName, false, subjectAltNames(input.hosts).toSchema()));
  return list;
}
