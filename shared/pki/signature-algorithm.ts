// Signature algorithms: the one a CA key signs with, and the ones a CSR may be signed with.
import * as pkijs from 'pkijs';
import { asn1js, encodedOnce } from './asn1.js';
import { OID } from './object-identifiers.js';
import type { PublicKeyKind } from './public-key.js';

export type Hash = 'sha256' | 'sha384' | 'sha512';

export interface SignatureAlgorithm {
  oid: string;
  /** The digest node:crypto signs/verifies with; null for Ed25519 (pure EdDSA). */
  hash: Hash | null;
  /** Key kinds that can make this signature. */
  keys: readonly PublicKeyKind[];
  name: string;
}

const EC = ['ecdsa-p256', 'ecdsa-p384', 'ecdsa-p521'] as const;
const ALGORITHMS: readonly SignatureAlgorithm[] = [
  { oid: OID.ecdsaWithSha256, hash: 'sha256', keys: EC, name: 'ecdsa-with-SHA256' },
  { oid: OID.ecdsaWithSha384, hash: 'sha384', keys: EC, name: 'ecdsa-with-SHA384' },
  { oid: OID.ecdsaWithSha512, hash: 'sha512', keys: EC, name: 'ecdsa-with-SHA512' },
  { oid: OID.sha256WithRsa, hash: 'sha256', keys: ['rsa'], name: 'sha256WithRSAEncryption' },
  { oid: OID.sha384WithRsa, hash: 'sha384', keys: ['rsa'], name: 'sha384WithRSAEncryption' },
  { oid: OID.sha512WithRsa, hash: 'sha512', keys: ['rsa'], name: 'sha512WithRSAEncryption' },
  { oid: OID.ed25519, hash: null, keys: ['ed25519'], name: 'Ed25519' },
];

/** Accepted algorithms for verifying a signature, by OID; SHA-1 and RSA-PSS are not among them. */
export const signatureAlgorithmByOid = (oid: string): SignatureAlgorithm | undefined =>
  ALGORITHMS.find((a) => a.oid === oid);

/** What a CA key of this kind signs certificates and CRLs with. */
export function signingAlgorithmFor(kind: PublicKeyKind): SignatureAlgorithm {
  const oid = {
    'ecdsa-p256': OID.ecdsaWithSha256,
    'ecdsa-p384': OID.ecdsaWithSha384,
    'ecdsa-p521': OID.ecdsaWithSha512,
    rsa: OID.sha256WithRsa,
    ed25519: OID.ed25519,
  }[kind];
  return signatureAlgorithmByOid(oid) as SignatureAlgorithm;
}

// Encoded once per algorithm: every certificate and CRL a CA signs names the same one, twice.
const IDENTIFIERS = new Map<SignatureAlgorithm, pkijs.AlgorithmIdentifier>();

/**
 * The AlgorithmIdentifier: RSA algorithms carry an explicit NULL parameter, ECDSA and Ed25519 none
 * (RFC 5758, 8410). Shared between documents: callers never change it.
 */
export function algorithmIdentifier(algorithm: SignatureAlgorithm): pkijs.AlgorithmIdentifier {
  let identifier = IDENTIFIERS.get(algorithm);
  if (identifier === undefined) {
    identifier = encodedOnce(
      new pkijs.AlgorithmIdentifier(
        algorithm.keys.includes('rsa')
          ? { algorithmId: algorithm.oid, algorithmParams: new asn1js.Null() }
          : { algorithmId: algorithm.oid },
      ),
    );
    IDENTIFIERS.set(algorithm, identifier);
  }
  return identifier;
}
