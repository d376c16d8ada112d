// The envelope shared by certificates and CRLs: SEQUENCE { tbs, signatureAlgorithm, signature }.
import { bitString, TAG, tlv } from './der.js';
import type { Signer } from './signer.js';

export async function signed(tbs: Uint8Array, signer: Signer): Promise<Uint8Array> {
  const signature = await signer.sign(tbs);
  return tlv(TAG.sequence, tbs, signer.algorithmIdentifier, bitString(signature));
}
