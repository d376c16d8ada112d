// The X.509 v3 extensions of each certificate profile, as pkijs Extensions. The fixed ones are
// built and encoded once and shared by every certificate (encoding them never changes them); the
// subject key identifier once per key, and only the SANs per certificate.
import * as pkijs from 'pkijs';
import { asn1js, encodedOnce } from './asn1.js';
import { keyIdentifier } from './key-identifier.js';
import { OID } from './object-identifiers.js';
import type { AcceptedPublicKey } from './public-key.js';
import { subjectAltNames } from './subject-alt-names.js';

export type CertificateProfile = 'client' | 'member';

/** An Extension whose extnValue holds `value`'s DER (critical is written only when true). */
export const extension = (extnID: string, critical: boolean, value: asn1js.AsnType): pkijs.Extension =>
  new pkijs.Extension({ extnID, critical, extnValue: value.toBER() });

/** The same, encoded once for every certificate that carries it. */
const fixedExtension = (extnID: string, critical: boolean, value: asn1js.AsnType): pkijs.Extension =>
  encodedOnce(extension(extnID, critical, value));

// KeyUsage BIT STRINGs with trailing zero bits dropped (DER): digitalSignature(0);
// digitalSignature + keyEncipherment(2) for RSA subjects (TLS 1.2 RSA key exchange); keyCertSign(5) + cRLSign(6).
const keyUsage = (bits: number, unusedBits: number): pkijs.Extension =>
  fixedExtension(OID.keyUsage, true, new asn1js.BitString({ valueHex: Uint8Array.of(bits), unusedBits }));
const USAGE_SIGNATURE = keyUsage(0x80, 7);
const USAGE_SIGNATURE_ENCIPHERMENT = keyUsage(0xa0, 5);
const USAGE_CA = keyUsage(0x06, 1);

// cA DEFAULT FALSE is omitted in DER, leaving an empty SEQUENCE.
const END_ENTITY = fixedExtension(
  OID.basicConstraints,
  true,
  new pkijs.BasicConstraints({ cA: false }).toSchema(),
);
// pathLen 0: this CA signs end-entity certificates only, never another CA.
const CA_BASIC = fixedExtension(
  OID.basicConstraints,
  true,
  new pkijs.BasicConstraints({ cA: true, pathLenConstraint: 0 }).toSchema(),
);

const extKeyUsage = (keyPurposes: string[]): pkijs.Extension =>
  fixedExtension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes }).toSchema());
const EKU: Record<CertificateProfile, pkijs.Extension> = {
  client: extKeyUsage([OID.clientAuth]),
  member: extKeyUsage([OID.serverAuth, OID.clientAuth]),
};

const subjectKeyIdentifier = (keyId: Uint8Array): pkijs.Extension =>
  extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyId }));

// A key's subjectKeyIdentifier extension, for the keys issued for again and again (a node renewing).
const SUBJECT_KEY_IDS = new WeakMap<AcceptedPublicKey, pkijs.Extension>();

function subjectKeyIdentifierOf(key: AcceptedPublicKey): pkijs.Extension {
  let found = SUBJECT_KEY_IDS.get(key);
  if (found === undefined) {
    found = encodedOnce(subjectKeyIdentifier(keyIdentifier(key.publicKeyInfo)));
    SUBJECT_KEY_IDS.set(key, found);
  }
  return found;
}

/** AuthorityKeyIdentifier with its keyIdentifier only (RFC 5280 §4.2.1.1), encoded once per CA. */
export const authorityKeyIdentifier = (issuerKeyId: Uint8Array): pkijs.Extension =>
  fixedExtension(
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
  subjectKey: AcceptedPublicKey;
  /** The CA's authorityKeyIdentifier extension. */
  authorityKeyId: pkijs.Extension;
  hosts: readonly string[];
}

export function leafExtensions(input: LeafExtensionInput): pkijs.Extension[] {
  const list = [
    END_ENTITY,
    input.subjectKey.kind === 'rsa' ? USAGE_SIGNATURE_ENCIPHERMENT : USAGE_SIGNATURE,
    EKU[input.profile],
    subjectKeyIdentifierOf(input.subjectKey),
    input.authorityKeyId,
  ];
  if (input.profile === 'member')
    list.push(extension(OID.subjectAltName, false, subjectAltNames(input.hosts).toSchema()));
  return list;
}
