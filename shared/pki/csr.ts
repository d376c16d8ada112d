// PKCS#10 certification requests (RFC 2986), PEM or DER. A CSR contributes exactly one thing to
// a certificate: its public key, after proving possession of the private key by its signature.
// Its subject must name the requested user; everything else it asks for (extra subject attributes,
// requested extensions such as subjectAltName or key usages) is ignored and reported, because the
// policy alone decides what a certificate says.
import { verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { WardenError } from '../errors.js';
import { children, type Element, encoding, readElement, readHeader, TAG } from './der.js';
import { OID } from './oid.js';
import { fromPem, looksLikePem } from './pem.js';
import { type AcceptedPublicKey, acceptPublicKey } from './public-key.js';
import { signatureAlgorithmByOid } from './signature-algorithm.js';

export const MAX_CSR_BYTES = 64 * 1024;

export interface CertificateSigningRequest {
  commonName: string;
  publicKey: AcceptedPublicKey;
  /** What the CSR asked for that the certificate will not carry, for telling the requester. */
  ignored: string[];
}

const EXTENSION_NAMES: Record<string, string> = {
  [OID.subjectAltName]: 'subjectAltName',
  [OID.keyUsage]: 'keyUsage',
  [OID.extKeyUsage]: 'extKeyUsage',
  [OID.basicConstraints]: 'basicConstraints',
  [OID.subjectKeyIdentifier]: 'subjectKeyIdentifier',
};

const invalid = (message: string): WardenError => new WardenError('invalid-input', message);

function toDer(input: string | Uint8Array): Uint8Array {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > MAX_CSR_BYTES) throw invalid(`the CSR is ${size} bytes; at most ${MAX_CSR_BYTES} are accepted`);
  if (size === 0) throw invalid('the CSR is empty');
  if (typeof input === 'string' || looksLikePem(input)) {
    const text = typeof input === 'string' ? input : Buffer.from(input).toString('latin1');
    return fromPem(text, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'], 'the CSR');
  }
  return input;
}

interface CsrParts {
  request: pkijs.CertificationRequest;
  /** The signed bytes (CertificationRequestInfo) and the key, exactly as sent. */
  info: Uint8Array;
  spki: Uint8Array;
}

function decode(der: Uint8Array): CsrParts {
  // The outer framing first, so that garbage, truncation and trailing bytes each get their own message.
  let outer: Element;
  try {
    outer = readHeader(der);
  } catch {
    outer = { tag: -1, offset: 0, start: 0, end: Number.POSITIVE_INFINITY };
  }
  if (outer.tag !== TAG.sequence)
    throw invalid('the CSR is not PKCS#10: it does not start with a DER SEQUENCE (garbage?)');
  if (outer.end > der.length) throw invalid(`the CSR is truncated: ${der.length} of ${outer.end} bytes`);
  if (outer.end < der.length) throw invalid(`the CSR has ${der.length - outer.end} bytes after its end`);
  const notPkcs10 = () => invalid('the CSR is a DER SEQUENCE but not a PKCS#10 certification request');
  const parsed = asn1js.fromBER(der);
  if (parsed.offset !== der.length) throw notPkcs10();
  let request: pkijs.CertificationRequest;
  let info: Uint8Array;
  let spki: Uint8Array;
  try {
    request = new pkijs.CertificationRequest({ schema: parsed.result });
    const infoElement = readElement(der, outer.start);
    const spkiElement = children(der, infoElement)[2];
    if (!spkiElement) throw new Error('no key');
    info = encoding(der, infoElement);
    spki = encoding(der, spkiElement);
  } catch {
    throw notPkcs10();
  }
  return { request, info, spki };
}

function checkSignature({ request, info }: CsrParts, key: AcceptedPublicKey): void {
  const oid = request.signatureAlgorithm.algorithmId;
  const algorithm = signatureAlgorithmByOid(oid);
  if (!algorithm) {
    throw invalid(
      `the CSR is signed with algorithm ${oid}; accepted are ECDSA and RSA PKCS#1 v1.5 with SHA-256/384/512, and Ed25519`,
    );
  }
  if (!algorithm.keys.includes(key.kind)) {
    throw invalid(`the CSR's signature algorithm ${algorithm.name} does not fit its ${key.description} key`);
  }
  let valid = false;
  try {
    valid = verify(algorithm.hash, info, key.key, request.signatureValue.valueBlock.valueHexView);
  } catch {
    valid = false;
  }
  if (!valid) throw invalid("the CSR's signature does not verify with its own key (no proof of possession)");
}

function subjectCommonName(request: pkijs.CertificationRequest, ignored: string[]): string {
  const names = request.subject.typesAndValues.filter((t) => t.type === OID.commonName);
  if (names.length !== 1)
    throw invalid(`the CSR's subject must hold exactly one common name (CN); it holds ${names.length}`);
  const cn = (names[0] as pkijs.AttributeTypeAndValue).value.valueBlock.value;
  if (typeof cn !== 'string') throw invalid("the CSR's common name is not a string");
  for (const t of request.subject.typesAndValues)
    if (t.type !== OID.commonName) ignored.push(`subject attribute ${t.type}`);
  return cn;
}

function requestedExtensions(request: pkijs.CertificationRequest): string[] {
  const out: string[] = [];
  for (const attribute of request.attributes ?? []) {
    if (attribute.type !== OID.extensionRequest) {
      out.push(`attribute ${attribute.type}`);
      continue;
    }
    for (const v of attribute.values) {
      try {
        const extensions = new pkijs.Extensions({ schema: v });
        for (const e of extensions.extensions) out.push(`extension ${EXTENSION_NAMES[e.extnID] ?? e.extnID}`);
      } catch {
        out.push('an unreadable extension request');
      }
    }
  }
  return out;
}

export function parseCsr(input: string | Uint8Array): CertificateSigningRequest {
  const parts = decode(toDer(input));
  const publicKey = acceptPublicKey(parts.spki, "the CSR's key");
  checkSignature(parts, publicKey);
  const ignored: string[] = [];
  const commonName = subjectCommonName(parts.request, ignored);
  ignored.push(...requestedExtensions(parts.request));
  return { commonName, publicKey, ignored };
}

/** Refuses a CSR made for another name: the CN must be exactly the name being issued. */
export function requireCsrFor(csr: CertificateSigningRequest, name: string): void {
  if (csr.commonName !== name) {
    throw invalid(
      `the CSR's common name ${JSON.stringify(csr.commonName)} does not match the requested name ${JSON.stringify(name)}`,
    );
  }
}
