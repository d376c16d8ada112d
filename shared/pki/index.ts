/**
 * The PKI core: a CA from the policy's CaSpec, client and member certificates, CSRs, CRLs.
 *
 * Quick use (what test harnesses need):
 *
 *   const ctx = nodePkiContext();
 *   const { certificatePem, privateKeyPem, ca } = await createCa(spec, ctx);   // or loadCa({certificatePem, privateKeyPem}, ctx)
 *   const server = await issueMemberCertificate(ca, 'etcd-1', ['127.0.0.1', 'localhost'], ctx);
 *   const client = await issueClientCertificate(ca, 'calico-cni', ctx);
 *   // each: { certificatePem, privateKeyPem (PKCS#8, ECDSA P-256), serial (hex), notBefore, notAfter }
 *
 * Member certificates: serverAuth + clientAuth, CN = member name, SANs = hosts (IP or DNS).
 * Client certificates: clientAuth only, CN = username, no SANs. Both: keyUsage digitalSignature
 * (+ keyEncipherment for RSA keys), subject and authority key identifiers, 126-bit random serial,
 * notBefore backdated by CLOCK_SKEW_SECONDS.
 *
 * Policy-driven issuance (what the fronts call): issueForName(policy, ca, {name, csr?, ttlSeconds?}, ctx)
 * → {certificatePem, caCertificatePem, serial, notBefore, notAfter, profile, privateKeyPem?, ignored}.
 * A CSR (PEM or DER, at most MAX_CSR_BYTES) must be signed by its key (RSA >= 2048, ECDSA P-256/P-384,
 * Ed25519) and name exactly the requested user as its only CN; its requested extensions and other
 * subject attributes are ignored and listed in `ignored`. buildCrl(ca, policy.ca.revoked, ctx) makes
 * the CRL etcd reads with --client-crl-file.
 *
 * The core is pure: the clock, randomness, key generation and the CA's signer come in through a
 * PkiContext (crypto-node.ts has the node:crypto one). No file system or AWS here; see shared/castore.
 */
import type { CertificateAuthority } from './certificate-authority.js';
import type { PkiContext } from './context.js';
import { type IssuedWithKey, issueWithNewKey } from './issue-with-new-key.js';

export {
  type CaMaterial,
  type CertificateAuthority,
  createCa,
  loadCa,
  type NewCa,
} from './certificate-authority.js';
export { type CertificateInfo, certificateInfo } from './certificate-info.js';
export type { GeneratedKey, PkiContext, SigningContext } from './context.js';
export { buildCrl, type Crl, DEFAULT_CRL_VALIDITY_SECONDS } from './crl.js';
export { generateKey, nodePkiContext, nodeSigner } from './crypto-node.js';
export { type CertificateSigningRequest, MAX_CSR_BYTES, parseCsr, requireCsrFor } from './csr.js';
export type { CertificateProfile } from './extensions.js';
export { issueForName, type NameIssueRequest, type NameIssueResult } from './issue-for-name.js';
export { type IssuedWithKey, issueWithNewKey } from './issue-with-new-key.js';
export { type NameProfile, nameProfile, templateFor } from './name-profile.js';
export { type AcceptedPublicKey, acceptPublicKey } from './public-key.js';
export {
  type IssuedFiles,
  memberEndpoints,
  RENDER_FORMATS,
  type RenderFormat,
  renderConfig,
} from './render.js';
export { type IssuedCertificate, type SignRequest, signCertificate } from './sign-certificate.js';
export type { Signer } from './signer.js';
export { CLOCK_SKEW_SECONDS } from './validity.js';

const DAY = 86_400;

/** A server+peer certificate with a new ECDSA P-256 key (default TTL one day). */
export const issueMemberCertificate = (
  ca: CertificateAuthority,
  name: string,
  hosts: readonly string[],
  ctx: PkiContext,
  ttlSeconds = DAY,
): Promise<IssuedWithKey> =>
  issueWithNewKey(
    ca,
    {
      profile: 'member',
      commonName: name,
      hosts,
      ttlSeconds,
      limitSeconds: ttlSeconds,
      limitSource: 'the asked TTL',
    },
    ctx,
  );

/** A client certificate (clientAuth, CN = username) with a new ECDSA P-256 key (default TTL one day). */
export const issueClientCertificate = (
  ca: CertificateAuthority,
  name: string,
  ctx: PkiContext,
  ttlSeconds = DAY,
): Promise<IssuedWithKey> =>
  issueWithNewKey(
    ca,
    {
      profile: 'client',
      commonName: name,
      ttlSeconds,
      limitSeconds: ttlSeconds,
      limitSource: 'the asked TTL',
    },
    ctx,
  );
