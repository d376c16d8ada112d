// The one thing the core needs from a private key: signatures. Issuance never sees key bytes, so
// a signer can wrap a node:crypto KeyObject, a KMS key or an HSM without the core changing.
import type { SignatureAlgorithm } from './signature-algorithm.js';

export interface Signer {
  /** The algorithm of the signatures this signer makes (named in every certificate and CRL). */
  readonly signatureAlgorithm: SignatureAlgorithm;
  /** DER SubjectPublicKeyInfo of the signing key, to check it against the CA certificate. */
  readonly publicKey: Uint8Array;
  sign(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}
