// Issuance as the fronts ask for it: a name, and either a CSR or "make me a key". The policy
// decides the profile, subject, SANs and the longest lifetime; the request may only shorten it.
import type { Policy } from '../policy/types.js';
import type { CertificateAuthority } from './certificate-authority.js';
import type { PkiContext } from './context.js';
import { parseCsr, requireCsrFor } from './csr.js';
import type { CertificateProfile } from './extensions.js';
import { issueWithNewKey } from './issue-with-new-key.js';
import { nameProfile } from './name-profile.js';
import { type IssuedCertificate, type SignRequest, signCertificate } from './sign-certificate.js';

export interface NameIssueRequest {
  name: string;
  /** PEM or DER PKCS#10. Without it a new ECDSA P-256 key is generated and returned. */
  csr?: string | Uint8Array;
  /** At most the policy's TTL for the name; defaults to it. */
  ttlSeconds?: number;
}

export interface NameIssueResult extends IssuedCertificate {
  name: string;
  profile: CertificateProfile;
  /** Present only when the key was generated here. */
  privateKeyPem?: string;
  caCertificatePem: string;
  /** What the CSR asked for and did not get (see csr.ts). */
  ignored: string[];
}

export async function issueForName(
  policy: Policy,
  ca: CertificateAuthority,
  request: NameIssueRequest,
  ctx: PkiContext,
): Promise<NameIssueResult> {
  const target = nameProfile(policy, request.name);
  // The name's TTL is also its limit; the lint keeps it under ca.maxTtl, but a hand-built policy may not.
  const withinCaLimit = target.ttlSeconds <= policy.ca.maxTtlSeconds;
  const limitSeconds = withinCaLimit ? target.ttlSeconds : policy.ca.maxTtlSeconds;
  const base: Omit<SignRequest, 'publicKey'> = {
    profile: target.profile,
    commonName: target.name,
    hosts: target.hosts,
    ttlSeconds: request.ttlSeconds ?? limitSeconds,
    limitSeconds,
    limitSource: withinCaLimit ? target.ttlSource : 'ca.maxTtl',
  };
  const common = { name: target.name, profile: target.profile, caCertificatePem: ca.certificatePem };
  if (request.csr === undefined) {
    return { ...common, ...(await issueWithNewKey(ca, base, ctx)), ignored: [] };
  }
  const csr = parseCsr(request.csr);
  requireCsrFor(csr, target.name);
  return {
    ...common,
    ...(await signCertificate(ca, { ...base, publicKey: csr.publicKey }, ctx)),
    ignored: csr.ignored,
  };
}
