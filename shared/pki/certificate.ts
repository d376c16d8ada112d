// X.509 certificates (RFC 5280 §4.1) as pkijs builds and reads them: an unsigned v3 certificate
// from decided parts (signed.ts signs it), and a certificate read back from DER (the CA's own
// when it is loaded, issued ones when configuration is rendered from them).
import * as pkijs from 'pkijs';
import { type asn1js, decodeDer } from './asn1.js';
import { x509Time } from './validity.js';

export interface CertificateParts {
  serial: asn1js.Integer;
  /** The issuer's Name exactly as its own certificate holds it (verifiers such as Go compare the bytes). */
  issuer: pkijs.RelativeDistinguishedNames;
  subject: pkijs.RelativeDistinguishedNames;
  notBefore: Date;
  notAfter: Date;
  publicKey: pkijs.PublicKeyInfo;
  extensions: pkijs.Extension[];
}

const VERSION_3 = 2;

export const unsignedCertificate = (parts: CertificateParts): pkijs.Certificate =>
  new pkijs.Certificate({
    version: VERSION_3,
    serialNumber: parts.serial,
    issuer: parts.issuer,
    subject: parts.subject,
    notBefore: x509Time(parts.notBefore),
    notAfter: x509Time(parts.notAfter),
    subjectPublicKeyInfo: parts.publicKey,
    extensions: parts.extensions,
  });

/**
 * One DER certificate; throws on anything else (garbage, truncation, trailing bytes, a repeated
 * extension). The signature is not checked here: loadCa checks the CA's key against it.
 */
export function readCertificate(der: Uint8Array, what: string): pkijs.Certificate {
  const certificate = new pkijs.Certificate({ schema: decodeDer(der, what) });
  const seen = new Set<string>();
  for (const { extnID } of certificate.extensions ?? []) {
    // RFC 5280 §4.2: a certificate must not include more than one instance of an extension.
    if (seen.has(extnID)) throw new Error(`${what} has extension ${extnID} twice`);
    seen.add(extnID);
  }
  return certificate;
}

/** The decoded value of the certificate's `oid` extension, if it has one; throws when it is malformed. */
export function extensionValue<T>(
  certificate: pkijs.Certificate,
  oid: string,
  type: abstract new (...args: never[]) => T,
): T | undefined {
  const found = certificate.extensions?.find((e) => e.extnID === oid);
  if (!found) return undefined;
  const value: unknown = found.parsedValue;
  if (!(value instanceof type) || (value as { parsingError?: string }).parsingError !== undefined)
    throw new Error(`extension ${oid} is malformed`);
  return value;
}

/** Big-endian magnitude as lowercase hex without leading zeros. */
export const serialHex = (certificate: pkijs.Certificate): string =>
  Buffer.from(certificate.serialNumber.valueBlock.valueHexView)
    .toString('hex')
    .replace(/^0+(?=.)/, '');
