// The production PkiContext on node:crypto: the system clock, the CSPRNG, key generation and
// signers over KeyObjects. Private keys stay inside KeyObjects; nothing here logs or echoes them.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto';
import { promisify } from 'node:util';
import { WardenError } from '../errors.js';
import type { KeyAlgorithm } from '../policy/types.js';
import type { GeneratedKey, PkiContext } from './context.js';
import { acceptKeyObject } from './public-key.js';
import { signingAlgorithmFor } from './signature-algorithm.js';
import type { Signer } from './signer.js';

const generate = promisify(generateKeyPair);

export async function generateKey(algorithm: KeyAlgorithm): Promise<GeneratedKey> {
  const pair =
    algorithm === 'ecdsa-p256' || algorithm === 'ecdsa-p384'
      ? await generate('ec', { namedCurve: algorithm === 'ecdsa-p256' ? 'P-256' : 'P-384' })
      : await generate('rsa', {
          modulusLength: Number(algorithm.slice('rsa-'.length)),
          publicExponent: 0x10001,
        });
  return {
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKey: new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' })),
  };
}

/** A signer over a PEM private key (PKCS#8, SEC1 or PKCS#1). Errors never quote the key. */
export function nodeSigner(privateKeyPem: string): Signer {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: privateKeyPem, format: 'pem' });
  } catch {
    throw new WardenError(
      'invalid-input',
      'the CA private key is not a readable unencrypted PEM private key',
    );
  }
  const accepted = acceptKeyObject(createPublicKey(key), 'the CA private key');
  const signatureAlgorithm = signingAlgorithmFor(accepted.kind);
  const hash = signatureAlgorithm.hash;
  return {
    signatureAlgorithm,
    publicKey: accepted.spki,
    // Synchronous on purpose: one ECDSA P-256 signature takes ~40 µs, less than a thread-pool hop.
    sign: (data) => sign(hash, data, key),
  };
}

export const nodePkiContext = (): PkiContext => ({
  now: () => new Date(),
  randomBytes: (size) => new Uint8Array(randomBytes(size)),
  generateKey,
  openSigner: nodeSigner,
});
