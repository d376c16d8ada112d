// PKCS#10 certification requests (RFC 2986), PEM or DER. A CSR contributes exactly one thing to
// a certificate: its public key, after proving possession of the private key by its signature.
// Its subject must name the requested user; everything else it asks for (extra subject attributes,
// requested extensions such as subjectAltName or key usages) is ignored and reported, because the
// policy alone decides what a certificate says.
import { verify } from 'node:crypto';
import { WardenError } from '../errors.js';
import { children, childrenOf, type Element, encoding, readElement, readHeader, TAG, value } from './der.js';
import { OID, readOid } from './oid.js';
import { fromPem, looksLikePem } from './pem.js';
import { type AcceptedPublicKey, acceptPublicKey } from './public-key.js';
import { signatureAlgorithmByOid } from './signature-algorithm.js';
import { commonNames, type NameAttribute, readName } from './subject.js';

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

const ATTRIBUTES = 0xa0; // [0] IMPLICIT SET OF Attribute

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

/** The parts of a PKCS#10 request this module uses, read straight from its DER (RFC 2986 §4). */
interface CsrParts {
  /** The signed bytes (CertificationRequestInfo) and the key, exactly as sent. */
  info: Uint8Array;
  spki: Uint8Array;
  subject: NameAttribute[];
  /** Each attribute's type and the encodings of its values. */
  attributes: { type: string; values: Uint8Array[] }[];
  signatureAlgorithm: string;
  signature: Uint8Array;
}

function readParts(der: Uint8Array, outer: Element): CsrParts {
  const [infoElement, algorithmElement, signatureElement, ...extra] = children(der, outer);
  if (!infoElement || extra.length > 0) throw new Error('not three fields');
  const [version, subject, spki, attributes, ...more] = childrenOf(der, infoElement, TAG.sequence);
  if (!version || version.tag !== TAG.integer || value(der, version).join() !== '0' || more.length > 0)
    throw new Error('not version 1');
  if (!spki || spki.tag !== TAG.sequence) throw new Error('no key');
  const requested = attributes ? childrenOf(der, attributes, ATTRIBUTES) : [];
  const [algorithm] = childrenOf(der, algorithmElement, TAG.sequence);
  if (signatureElement?.tag !== TAG.bitString) throw new Error('no signature');
  const signatureBits = value(der, signatureElement);
  if (signatureBits[0] !== 0) throw new Error('signature is not whole bytes');
  return {
    info: encoding(der, infoElement),
    spki: encoding(der, spki),
    subject: readName(der, subject),
    attributes: requested.map((attribute) => {
      const [type, values] = childrenOf(der, attribute, TAG.sequence);
      return {
        type: readOid(der, type),
        values: childrenOf(der, values, TAG.set).map((v) => encoding(der, v)),
      };
    }),
    signatureAlgorithm: readOid(der, algorithm),
    signature: signatureBits.subarray(1),
  };
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
  try {
    return readParts(der, outer);
  } catch {
    throw invalid('the CSR is a DER SEQUENCE but not a PKCS#10 certification request');
  }
}

function checkSignature(parts: CsrParts, key: AcceptedPublicKey): void {
  const oid = parts.signatureAlgorithm;
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
    valid = verify(algorithm.hash, parts.info, key.key, parts.signature);
  } catch {
    valid = false;
  }
  if (!valid) throw invalid("the CSR's signature does not verify with its own key (no proof of possession)");
}

function subjectCommonName(parts: CsrParts, ignored: string[]): string {
  const names = commonNames(parts.subject);
  if (names.length !== 1)
    throw invalid(`the CSR's subject must hold exactly one common name (CN); it holds ${names.length}`);
  const cn = names[0];
  if (cn === undefined) throw invalid("the CSR's common name is not a string");
  for (const t of parts.subject) if (t.type !== OID.commonName) ignored.push(`subject attribute ${t.type}`);
  return cn;
}

function requestedExtensions(parts: CsrParts): string[] {
  const out: string[] = [];
  for (const attribute of parts.attributes) {
    if (attribute.type !== OID.extensionRequest) {
      out.push(`attribute ${attribute.type}`);
      continue;
    }
    for (const extensions of attribute.values) {
      try {
        // Extensions ::= SEQUENCE OF Extension; Extension ::= SEQUENCE { extnID, critical?, extnValue }
        for (const extension of childrenOf(extensions, readElement(extensions), TAG.sequence)) {
          const id = readOid(extensions, childrenOf(extensions, extension, TAG.sequence)[0]);
          out.push(`extension ${EXTENSION_NAMES[id] ?? id}`);
        }
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
  const commonName = subjectCommonName(parts, ignored);
  ignored.push(...requestedExtensions(parts));
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
