// Everything impure the PKI core needs, passed in: the clock, randomness, key generation and a
// way to turn a stored private key into a signer. `nodePkiContext()` (crypto-node.ts) is the
// production implementation; tests can fix the clock or the randomness.
import type { KeyAlgorithm } from '../policy/types.js';
import type { Signer } from './signer.js';

export interface GeneratedKey {
  /** PKCS#8 PEM. Handed to the caller who asked for it and nobody else. */
  privateKeyPem: string;
  /** DER SubjectPublicKeyInfo. */
  publicKey: Uint8Array;
}

export interface PkiContext {
  now(): Date;
  randomBytes(size: number): Uint8Array;
  generateKey(algorithm: KeyAlgorithm): Promise<GeneratedKey>;
  openSigner(privateKeyPem: string): Signer;
}

/** The part of the context that signing a certificate uses. */
export type SigningContext = Pick<PkiContext, 'now' | 'randomBytes'>;
