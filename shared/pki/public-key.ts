// Which subject and CA keys the PKI accepts, decided from the DER SubjectPublicKeyInfo before
// node:crypto sees it: ECDSA on a named P-256, P-384 or P-521 curve with a point on the curve;
// RSA of 2048–8192 bits with an odd public exponent of at least 65537; Ed25519 not of small order.
// Node then builds the key from the checked values alone (JWK), so it can never read something
// else than what was checked, and the key that goes into a certificate is Node's canonical SPKI.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';
import { WardenError } from '../errors.js';
import {
  type Asn1,
  decodeDer,
  encodedOnce,
  isNull,
  objectIdentifier,
  oidText,
  sequence,
  unsignedInteger,
  wholeBytes,
} from './asn1.js';
import { bytesFrom, decodeEcPoint, ed25519KeyProblem, NAMED_CURVES } from './curve-points.js';
import { OID } from './object-identifiers.js';

export type PublicKeyKind = 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521' | 'rsa' | 'ed25519';

export interface AcceptedPublicKey {
  kind: PublicKeyKind;
  /** Canonical DER SubjectPublicKeyInfo, as it goes into a certificate. */
  spki: Uint8Array;
  /** The same, as pkijs writes it into a certificate (read and encoded once, shared by every certificate). */
  publicKeyInfo: pkijs.PublicKeyInfo;
  key: KeyObject;
  /** For messages: "ECDSA P-256", "RSA 3072". */
  description: string;
}

export const MIN_RSA_BITS = 2048;
// Larger moduli buy nothing here and make every verification slow enough to be a denial of service.
export const MAX_RSA_BITS = 8192;
const MIN_RSA_EXPONENT = 65_537n;
// NIST SP 800-56B §6.2.1: 2^16 < e < 2^256. A huge exponent would make each verification as slow
// as a private-key operation.
const RSA_EXPONENT_LIMIT = 2n ** 256n;

const EC_KINDS: Record<string, { kind: PublicKeyKind; description: string }> = {
  'P-256': { kind: 'ecdsa-p256', description: 'ECDSA P-256' },
  'P-384': { kind: 'ecdsa-p384', description: 'ECDSA P-384' },
  'P-521': { kind: 'ecdsa-p521', description: 'ECDSA P-521' },
};

const REFUSED_ALGORITHMS: Record<string, string> = {
  '1.3.101.113': 'Ed448',
  '1.3.101.110': 'X25519 (a key-agreement key)',
  '1.3.101.111': 'X448 (a key-agreement key)',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10040.4.1': 'DSA',
};

// Curves people try, named in the refusal.
const OTHER_CURVES: Record<string, string> = {
  '1.3.132.0.10': 'secp256k1',
  '1.3.132.0.33': 'P-224',
  '1.2.840.10045.3.1.1': 'P-192',
  '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
  '1.3.36.3.3.2.8.1.1.11': 'brainpoolP384r1',
};

const ACCEPTED = `RSA (${MIN_RSA_BITS}–${MAX_RSA_BITS} bits), ECDSA P-256/P-384/P-521 and Ed25519`;

// Checking a key (a curve equation, an RSA modulus) costs more than a signature; callers that
// issue again and again for one key (a node renewing, a benchmark) find it here. Bounded, oldest out.
const RECENT_LIMIT = 256;
const recent = new Map<string, AcceptedPublicKey>();

/** `what` names the key's owner in errors ("the CSR's key"). */
export function acceptPublicKey(spki: Uint8Array, what: string): AcceptedPublicKey {
  const id = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('base64');
  const known = recent.get(id);
  if (known) return known;
  const accepted = checkPublicKey(spki, what);
  if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value as string);
  recent.set(id, accepted);
  return accepted;
}

/** A key Node already holds (the CA's), judged by the same rules through its SPKI. */
export const acceptKeyObject = (key: KeyObject, what: string): AcceptedPublicKey =>
  acceptPublicKey(new Uint8Array(key.export({ type: 'spki', format: 'der' })), what);

const base64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

function checkPublicKey(spki: Uint8Array, what: string): AcceptedPublicKey {
  const invalid = (problem: string) => new WardenError('invalid-input', `${what} ${problem}`);
  // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
  const [algorithm, bits, ...extra] = sequence(decodeDer(spki, what), what);
  if (extra.length > 0) throw invalid('has fields after its key');
  const [algorithmOid, parameters, ...more] = sequence(algorithm, `${what}'s algorithm`);
  if (more.length > 0) throw invalid('has an algorithm identifier with extra fields');
  const oid = objectIdentifier(algorithmOid, `${what}'s algorithm`);
  const keyBytes = wholeBytes(bits, `${what}'s key bits`);
  if (oid === OID.ecPublicKey) return acceptEcKey(parameters, keyBytes, invalid);
  if (oid === OID.rsaEncryption) return acceptRsaKey(parameters, keyBytes, what, invalid);
  if (oid === OID.ed25519) {
    if (parameters !== undefined) throw invalid('is Ed25519 with parameters, which RFC 8410 forbids');
    const problem = ed25519KeyProblem(keyBytes);
    if (problem) throw invalid(problem);
    return fromJwk({ kty: 'OKP', crv: 'Ed25519', x: base64url(keyBytes) }, 'ed25519', 'Ed25519', invalid);
  }
  const name = REFUSED_ALGORITHMS[oid] ?? `algorithm ${oidText(oid)}`;
  throw invalid(`is ${name}: only ${ACCEPTED} are accepted`);
}

type Refusal = (problem: string) => WardenError;

function acceptEcKey(parameters: Asn1 | undefined, point: Uint8Array, invalid: Refusal): AcceptedPublicKey {
  // ECParameters ::= CHOICE { namedCurve OID, implicitCurve NULL, specifiedCurve SEQUENCE } (RFC 5480):
  // only the first names a curve whose parameters are known to be sound.
  if (parameters === undefined || isNull(parameters))
    throw invalid('is an EC key without a named curve: name P-256, P-384 or P-521');
  let curveOid: string;
  try {
    curveOid = objectIdentifier(parameters, 'the curve');
  } catch {
    throw invalid(
      'is an EC key with explicit curve parameters: only named curves (P-256, P-384, P-521) are accepted',
    );
  }
  const curve = NAMED_CURVES[curveOid];
  if (!curve)
    throw invalid(
      `uses curve ${OTHER_CURVES[curveOid] ?? oidText(curveOid)}: only P-256, P-384 and P-521 are accepted`,
    );
  const decoded = decodeEcPoint(curve, point);
  if (typeof decoded === 'string') throw invalid(`has a ${curve.jwkName} point that ${decoded}`);
  const { kind, description } = EC_KINDS[curve.jwkName] as (typeof EC_KINDS)[string];
  const jwk = {
    kty: 'EC',
    crv: curve.jwkName,
    x: base64url(bytesFrom(decoded.x, curve.size)),
    y: base64url(bytesFrom(decoded.y, curve.size)),
  };
  return fromJwk(jwk, kind, description, invalid);
}

function acceptRsaKey(
  parameters: Asn1 | undefined,
  keyBytes: Uint8Array,
  what: string,
  invalid: Refusal,
): AcceptedPublicKey {
  if (parameters !== undefined && !isNull(parameters))
    throw invalid('is an RSA key whose algorithm parameters are not NULL');
  // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER } (RFC 8017 A.1.1)
  const [modulus, exponent, ...extra] = sequence(
    decodeDer(keyBytes, `${what}'s RSA key`),
    `${what}'s RSA key`,
  );
  if (extra.length > 0) throw invalid('is an RSA key with fields after its exponent');
  const n = unsignedInteger(modulus, `${what}'s RSA modulus`);
  const e = unsignedInteger(exponent, `${what}'s RSA public exponent`);
  const bits = n.toString(2).length;
  if (bits < MIN_RSA_BITS) throw invalid(`is RSA ${bits}: RSA keys need at least ${MIN_RSA_BITS} bits`);
  if (bits > MAX_RSA_BITS) throw invalid(`is RSA ${bits}: RSA keys may have at most ${MAX_RSA_BITS} bits`);
  if ((n & 1n) === 0n) throw invalid('is RSA with an even modulus, which no key pair has');
  if (e < MIN_RSA_EXPONENT || (e & 1n) === 0n || e >= RSA_EXPONENT_LIMIT) {
    const shown = e < 2n ** 64n ? String(e) : `of ${e.toString(2).length} bits`;
    throw invalid(
      `is RSA with public exponent ${shown}: it must be odd, at least ${MIN_RSA_EXPONENT} and below 2^256`,
    );
  }
  const magnitude = (v: bigint) => base64url(bytesFrom(v, Math.ceil(v.toString(16).length / 2)));
  return fromJwk({ kty: 'RSA', n: magnitude(n), e: magnitude(e) }, 'rsa', `RSA ${bits}`, invalid);
}

function fromJwk(
  jwk: JsonWebKey,
  kind: PublicKeyKind,
  description: string,
  invalid: Refusal,
): AcceptedPublicKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    throw invalid(`is a ${description} key that node:crypto cannot use`);
  }
  const spki = new Uint8Array(key.export({ type: 'spki', format: 'der' }));
  const publicKeyInfo = encodedOnce(
    new pkijs.PublicKeyInfo({ schema: decodeDer(spki, 'the canonical key') }),
  );
  return { kind, spki, publicKeyInfo, key, description };
}
