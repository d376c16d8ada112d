// The one thing the core needs from a private key: signatures. Issuance never sees key bytes, so
// a signer can wrap a node:crypto KeyObject, a KMS key or an HSM without the core changing.

export interface Signer {
  /** DER AlgorithmIdentifier of the signatures this signer makes (goes into the certificate). */
  readonly algorithmIdentifier: Uint8Array;
  /** DER SubjectPublicKeyInfo of the signing key, to check it against the CA certificate. */
  readonly publicKey: Uint8Array;
  sign(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}
