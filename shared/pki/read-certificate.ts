// Reading an X.509 certificate (RFC 5280 §4.1) back from DER: the CA's own certificate when it is
// loaded, and issued certificates when configuration is rendered from them. Only the fields those
// uses need; the signature is not checked here (the CA's key is checked against it by loadCa).
import { childrenOf, type Element, encoding, readElement, readTime, TAG, value } from './der.js';
import { readOid } from './oid.js';
import { type NameAttribute, readName } from './subject.js';

export interface CertificateExtension {
  critical: boolean;
  /** The extnValue's content: the extension's own DER. */
  value: Uint8Array;
}

export interface ReadCertificate {
  /** Big-endian magnitude as lowercase hex without leading zeros. */
  serialHex: string;
  /** The subject Name's whole encoding, as an issuer field must repeat it byte for byte. */
  subject: Uint8Array;
  subjectAttributes: NameAttribute[];
  /** The SubjectPublicKeyInfo's whole encoding. */
  spki: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  extensions: Map<string, CertificateExtension>;
}

const VERSION = 0xa0; // [0] EXPLICIT Version
const EXTENSIONS = 0xa3; // [3] EXPLICIT Extensions

/** Throws a plain Error on anything that is not one well-formed DER certificate. */
export function readCertificate(der: Uint8Array): ReadCertificate {
  const outer = readElement(der);
  if (outer.end !== der.length) throw new Error('trailing bytes after the certificate');
  const [tbs, algorithm, signature, ...extra] = childrenOf(der, outer, TAG.sequence);
  if (!algorithm || signature?.tag !== TAG.bitString || extra.length > 0)
    throw new Error('not a certificate');
  const fields = childrenOf(der, tbs, TAG.sequence);
  if (fields[0]?.tag === VERSION) fields.shift();
  const [serial, , , validity, subject, spki, ...optional] = fields;
  if (serial?.tag !== TAG.integer || spki?.tag !== TAG.sequence) throw new Error('not a TBSCertificate');
  const [notBefore, notAfter] = childrenOf(der, validity, TAG.sequence);
  const extensionsField = optional.find((f) => f.tag === EXTENSIONS);
  return {
    serialHex: Buffer.from(value(der, serial))
      .toString('hex')
      .replace(/^0+(?=.)/, ''),
    subject: encoding(der, subject as Element),
    subjectAttributes: readName(der, subject),
    spki: encoding(der, spki),
    notBefore: readTime(der, notBefore),
    notAfter: readTime(der, notAfter),
    extensions: extensionsField ? readExtensions(der, extensionsField) : new Map(),
  };
}

function readExtensions(der: Uint8Array, field: Element): Map<string, CertificateExtension> {
  const [list, ...extra] = childrenOf(der, field, EXTENSIONS);
  if (extra.length > 0) throw new Error('malformed extensions');
  const out = new Map<string, CertificateExtension>();
  for (const extension of childrenOf(der, list, TAG.sequence)) {
    const parts = childrenOf(der, extension, TAG.sequence);
    const critical = parts[1]?.tag === TAG.boolean;
    const content = parts[critical ? 2 : 1];
    if (content?.tag !== TAG.octetString) throw new Error('malformed extension');
    const id = readOid(der, parts[0]);
    if (out.has(id)) throw new Error(`extension ${id} appears twice`);
    out.set(id, {
      critical: critical && value(der, parts[1] as Element)[0] !== 0,
      value: value(der, content),
    });
  }
  return out;
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL } */
export function isCaConstraint(extension: CertificateExtension | undefined): boolean {
  if (!extension) return false;
  const bytes = extension.value;
  const [cA] = childrenOf(bytes, readElement(bytes), TAG.sequence);
  return cA?.tag === TAG.boolean && value(bytes, cA)[0] !== 0;
}

/** ExtKeyUsageSyntax ::= SEQUENCE OF KeyPurposeId (OBJECT IDENTIFIER) */
export function keyPurposes(extension: CertificateExtension | undefined): string[] {
  if (!extension) return [];
  const bytes = extension.value;
  return childrenOf(bytes, readElement(bytes), TAG.sequence).map((purpose) => readOid(bytes, purpose));
}

/** GeneralNames: each name's context tag number and bytes (2 dNSName, 7 iPAddress, …). */
export function generalNames(
  extension: CertificateExtension | undefined,
): { type: number; value: Uint8Array }[] {
  if (!extension) return [];
  const bytes = extension.value;
  return childrenOf(bytes, readElement(bytes), TAG.sequence).map((name) => ({
    type: name.tag & 0x1f,
    value: value(bytes, name),
  }));
}
