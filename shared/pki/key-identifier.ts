// Key identifiers (RFC 5280 §4.2.1.2 method 1): SHA-1 of the subjectPublicKey BIT STRING's bytes.
// They let verifiers pick the right issuer key and must be the same in the CA and its certificates.
import { createHash } from 'node:crypto';
import { children, readElement, value } from './der.js';

export function keyIdentifier(spki: Uint8Array): Uint8Array {
  const outer = readElement(spki);
  const bits = children(spki, outer)[1];
  if (!bits) throw new Error('SubjectPublicKeyInfo without a key');
  // Skip the BIT STRING's unused-bits octet.
  return new Uint8Array(createHash('sha1').update(value(spki, bits).subarray(1)).digest());
}
