// Key identifiers (RFC 5280 §4.2.1.2 method 1): SHA-1 of the subjectPublicKey BIT STRING's bytes.
// They let verifiers pick the right issuer key and must be the same in the CA and its certificates.
import { createHash } from 'node:crypto';
import type * as pkijs from 'pkijs';

export const keyIdentifier = (key: pkijs.PublicKeyInfo): Uint8Array =>
  new Uint8Array(createHash('sha1').update(key.subjectPublicKey.valueBlock.valueHexView).digest());
