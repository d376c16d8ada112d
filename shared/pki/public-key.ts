// Which subject and CA keys the PKI accepts, judged from the DER SubjectPublicKeyInfo:
// RSA 2048–8192 bits, ECDSA on P-256 or P-384, and Ed25519. Everything else is refused by name.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { WardenError } from '../errors.js';

export type PublicKeyKind = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa' | 'ed25519';

export interface AcceptedPublicKey {
  kind: PublicKeyKind;
  /** Canonical DER SubjectPublicKeyInfo, as it goes into a certificate. */
  spki: Uint8Array;
  key: KeyObject;
  /** For messages: "ECDSA P-256", "RSA 3072". */
  description: string;
}

export const MIN_RSA_BITS = 2048;
// Larger moduli buy nothing here and make every verification slow enough to be a denial of service.
export const MAX_RSA_BITS = 8192;

const CURVES: Record<string, PublicKeyKind> = { prime256v1: 'ecdsa-p256', secp384r1: 'ecdsa-p384' };

// Decoding a key (an EC point check, an RSA modulus) costs several times a signature; callers that
// issue again and again for one key (a node renewing, a benchmark) find it here. Bounded, oldest out.
const RECENT_LIMIT = 256;
const recent = new Map<string, AcceptedPublicKey>();

/** `what` names the key's owner in errors ("the CSR's key"). */
export function acceptPublicKey(spki: Uint8Array, what: string): AcceptedPublicKey {
  const id = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('base64');
  const known = recent.get(id);
  if (known) return known;
  const accepted = decodePublicKey(spki, what);
  if (recent.size >= RECENT_LIMIT) recent.delete(recent.keys().next().value as string);
  recent.set(id, accepted);
  return accepted;
}

function decodePublicKey(spki: Uint8Array, what: string): AcceptedPublicKey {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch {
    throw new WardenError(
      'invalid-input',
      `${what} is not a public key this CA supports (unreadable or unknown algorithm)`,
    );
  }
  return acceptKeyObject(key, what);
}

export function acceptKeyObject(key: KeyObject, what: string): AcceptedPublicKey {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  const spki = new Uint8Array(key.export({ type: 'spki', format: 'der' }));
  if (type === 'rsa') {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) {
      throw new WardenError(
        'invalid-input',
        `${what} is RSA ${bits}: RSA keys need at least ${MIN_RSA_BITS} bits`,
      );
    }
    if (bits > MAX_RSA_BITS) {
      throw new WardenError(
        'invalid-input',
        `${what} is RSA ${bits}: RSA keys may have at most ${MAX_RSA_BITS} bits`,
      );
    }
    return { kind: 'rsa', spki, key, description: `RSA ${bits}` };
  }
  if (type === 'ec') {
    const curve = details.namedCurve ?? 'unknown';
    const kind = CURVES[curve];
    if (!kind)
      throw new WardenError(
        'invalid-input',
        `${what} uses curve ${curve}: only ECDSA P-256 and P-384 are accepted`,
      );
    return { kind, spki, key, description: kind === 'ecdsa-p256' ? 'ECDSA P-256' : 'ECDSA P-384' };
  }
  if (type === 'ed25519') return { kind: 'ed25519', spki, key, description: 'Ed25519' };
  throw new WardenError(
    'invalid-input',
    `${what} is a ${type ?? 'unknown'} key: only RSA (>= ${MIN_RSA_BITS} bits), ECDSA P-256/P-384 and Ed25519 are accepted`,
  );
}
