// PKCS#10 certification requests (RFC 2986), PEM or DER. A CSR contributes exactly one thing to
// a certificate: its public key, after proving possession of the private key by its signature.
// Its subject must name the requested user; everything else it asks for (extra subject attributes,
// requested extensions such as subjectAltName or key usages) is ignored and reported, because the
// policy alone decides what a certificate says.
//
// Each field is checked on the decoded ASN.1 before pkijs reads the whole, so that a refusal names
// the field that is wrong; the key is checked (public-key.ts) before anything uses it.
import { verify } from 'node:crypto';
import * as pkijs from 'pkijs';
import { WardenError } from '../errors.js';
import { quote } from '../policy/diagnostics.js';
import {
  type Asn1,
  asn1js,
  decodeDer,
  encodedBytes,
  isContextTag,
  objectIdentifier,
  oidText,
  sequence,
  unsignedInteger,
  wholeBytes,
} from './asn1.js';
import { OID } from './object-identifiers.js';
import { derOrPem } from './pem.js';
import { type AcceptedPublicKey, acceptPublicKey } from './public-key.js';
import { signatureAlgorithmByOid } from './signature-algorithm.js';
import { directoryString } from './subject.js';

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

// A requester learns what was ignored; a CSR with thousands of attributes gets a short list.
const IGNORED_SHOWN = 16;

const invalid = (message: string): WardenError => new WardenError('invalid-input', message);

function toDer(input: string | Uint8Array): Uint8Array {
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > MAX_CSR_BYTES) throw invalid(`the CSR is ${size} bytes; at most ${MAX_CSR_BYTES} are accepted`);
  if (size === 0) throw invalid('the CSR is empty');
  return derOrPem(input, ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'], 'the CSR');
}

/**
 * CertificationRequest ::= SEQUENCE { certificationRequestInfo, signatureAlgorithm, signature BIT STRING }
 * CertificationRequestInfo ::= SEQUENCE { version INTEGER (0), subject Name, subjectPKInfo, attributes [0] }
 */
interface CheckedRequest {
  /** The request info exactly as it was sent: what the signature covers. */
  signedBytes: Uint8Array;
  algorithmOid: string;
  signature: Uint8Array;
  spki: Uint8Array;
  /** Read by pkijs from the subject and attributes fields once they are checked. */
  subject: pkijs.RelativeDistinguishedNames;
  attributes: pkijs.Attribute[];
}

/**
 * CertificationRequest ::= SEQUENCE { certificationRequestInfo, signatureAlgorithm, signature BIT STRING }
 * CertificationRequestInfo ::= SEQUENCE { version INTEGER (0), subject Name, subjectPKInfo, attributes [0] }
 *
 * The CSR is decoded once; pkijs reads only the subject and the attributes from it (the key is
 * judged by public-key.ts, the signature by node:crypto over the exact bytes), so nothing is
 * decoded twice or matched against a schema built again for every request.
 */
function checkFields(der: Uint8Array): CheckedRequest {
  const root = decodeDer(der, 'the CSR');
  const fields = sequence(root, 'the CSR');
  if (fields.length !== 3)
    throw invalid(`the CSR has ${fields.length} fields; PKCS#10 has 3 (request info, algorithm, signature)`);
  const [info, algorithm, signature] = fields as [Asn1, Asn1, Asn1];
  const infoFields = sequence(info, "the CSR's request info");
  const [version, subject, spki, attributes, ...extra] = infoFields;
  if (extra.length > 0) throw invalid("the CSR's request info has fields after its attributes");
  const versionNumber = unsignedInteger(version, "the CSR's version");
  if (versionNumber !== 0n)
    throw invalid(
      `the CSR's version is ${versionNumber < 1000n ? versionNumber : 'huge'}; PKCS#10 knows only 0 (v1)`,
    );
  const rdns = sequence(subject, "the CSR's subject");
  for (const rdn of rdns) {
    if (!(rdn instanceof asn1js.Set)) throw invalid("the CSR's subject holds a part that is not a SET");
    for (const attribute of rdn.valueBlock.value) {
      const [type, value, ...rest] = sequence(attribute, 'a CSR subject attribute');
      objectIdentifier(type, "a CSR subject attribute's type");
      if (value === undefined || rest.length > 0)
        throw invalid('a CSR subject attribute is not one type and one value');
    }
  }
  sequence(spki, "the CSR's key");
  if (attributes === undefined)
    throw invalid('the CSR has no attributes field (PKCS#10 requires one, even if empty)');
  if (!isContextTag(attributes, 0)) throw invalid("the CSR's attributes field is not tagged [0]");
  const [algorithmOid] = sequence(algorithm, "the CSR's signature algorithm");
  const oid = objectIdentifier(algorithmOid, "the CSR's signature algorithm");
  const signatureBytes = wholeBytes(signature, "the CSR's signature");
  let readAttributes: pkijs.Attribute[];
  try {
    const values = (attributes.valueBlock as { value?: Asn1[] }).value;
    if (!Array.isArray(values)) throw new Error('primitive [0]');
    readAttributes = values.map((attribute) => new pkijs.Attribute({ schema: attribute }));
  } catch {
    throw invalid("the CSR's attributes are not a SET OF Attribute (type and SET of values)");
  }
  let readSubject: pkijs.RelativeDistinguishedNames;
  try {
    readSubject = new pkijs.RelativeDistinguishedNames({ schema: subject });
  } catch {
    throw invalid("the CSR's subject is not a Name (a SEQUENCE of SETs of type and value)");
  }
  return {
    signedBytes: encodedBytes(info),
    algorithmOid: oid,
    signature: signatureBytes,
    spki: encodedBytes(spki as Asn1),
    subject: readSubject,
    attributes: readAttributes,
  };
}

function checkSignature(request: CheckedRequest, key: AcceptedPublicKey): void {
  const algorithm = signatureAlgorithmByOid(request.algorithmOid);
  if (!algorithm) {
    throw invalid(
      `the CSR is signed with algorithm ${oidText(request.algorithmOid)}; accepted are ECDSA and RSA PKCS#1 v1.5 with SHA-256/384/512, and Ed25519`,
    );
  }
  if (!algorithm.keys.includes(key.kind)) {
    throw invalid(`the CSR's signature algorithm ${algorithm.name} does not fit its ${key.description} key`);
  }
  let valid = false;
  try {
    // Over the request info exactly as it was sent, not as pkijs would encode it again.
    valid = verify(algorithm.hash, request.signedBytes, key.key, request.signature);
  } catch {
    valid = false;
  }
  if (!valid) throw invalid("the CSR's signature does not verify with its own key (no proof of possession)");
}

function subjectCommonName(request: CheckedRequest, ignored: string[]): string {
  const attributes = request.subject.typesAndValues;
  const names = attributes.filter((a) => a.type === OID.commonName);
  if (names.length !== 1)
    throw invalid(`the CSR's subject must hold exactly one common name (CN); it holds ${names.length}`);
  const value = (names[0] as pkijs.AttributeTypeAndValue).value as Asn1;
  const cn = directoryString(
    value.idBlock.tagNumber,
    (value.valueBlock as { valueHexView: Uint8Array }).valueHexView,
  );
  if (cn === undefined) throw invalid("the CSR's common name is not a UTF-8, printable, IA5 or BMP string");
  for (const a of attributes)
    if (a.type !== OID.commonName) ignored.push(`subject attribute ${oidText(a.type)}`);
  return cn;
}

function requestedExtensions(request: CheckedRequest): string[] {
  const out: string[] = [];
  for (const attribute of request.attributes) {
    if (attribute.type !== OID.extensionRequest) {
      out.push(`attribute ${oidText(attribute.type)}`);
      continue;
    }
    for (const value of attribute.values) {
      try {
        for (const extension of new pkijs.Extensions({ schema: value }).extensions)
          out.push(`extension ${EXTENSION_NAMES[extension.extnID] ?? oidText(extension.extnID)}`);
      } catch {
        out.push('an unreadable extension request');
      }
    }
  }
  return out;
}

function shortList(items: string[]): string[] {
  const unique = [...new Set(items)];
  if (unique.length <= IGNORED_SHOWN) return unique;
  return [...unique.slice(0, IGNORED_SHOWN), `and ${unique.length - IGNORED_SHOWN} more`];
}

export function parseCsr(input: string | Uint8Array): CertificateSigningRequest {
  const request = checkFields(toDer(input));
  const publicKey = acceptPublicKey(request.spki, "the CSR's key");
  checkSignature(request, publicKey);
  const ignored: string[] = [];
  const commonName = subjectCommonName(request, ignored);
  ignored.push(...requestedExtensions(request));
  return { commonName, publicKey, ignored: shortList(ignored) };
}

/** Refuses a CSR made for another name: the CN must be exactly the name being issued. */
export function requireCsrFor(csr: CertificateSigningRequest, name: string): void {
  if (csr.commonName !== name) {
    throw invalid(
      `the CSR's common name ${quote(csr.commonName)} does not match the requested name ${quote(name)}`,
    );
  }
}
