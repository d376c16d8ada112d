// Issuance with a key generated here for the caller (ECDSA P-256), returned once as PKCS#8 PEM.
import type { CertificateAuthority } from './certificate-authority.js';
import type { PkiContext } from './context.js';
import { type IssuedCertificate, type SignRequest, signCertificate } from './sign-certificate.js';

export interface IssuedWithKey extends IssuedCertificate {
  privateKeyPem: string;
}

export async function issueWithNewKey(
  ca: CertificateAuthority,
  request: Omit<SignRequest, 'publicKey'>,
  ctx: PkiContext,
): Promise<IssuedWithKey> {
  const key = await ctx.generateKey('ecdsa-p256');
  const issued = await signCertificate(ca, { ...request, publicKey: key.publicKey }, ctx);
  return { ...issued, privateKeyPem: key.privateKeyPem };
}
