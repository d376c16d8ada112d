// The CA: creating a self-signed root from the policy's CaSpec, and loading one from its stored
// certificate and key into a signing-ready object that holds no key bytes (only a Signer).
import { WardenError } from '../errors.js';
import type { CaSpec } from '../policy/types.js';
import type { PkiContext } from './context.js';
import { authorityKeyIdentifier, caExtensions } from './extensions.js';
import { keyIdentifier } from './key-identifier.js';
import { OID } from './oid.js';
import { fromPem, toPem } from './pem.js';
import { acceptPublicKey } from './public-key.js';
import { isCaConstraint, type ReadCertificate, readCertificate } from './read-certificate.js';
import { newSerial } from './serial.js';
import { signed } from './signed.js';
import type { Signer } from './signer.js';
import { commonNameSubject, commonNames } from './subject.js';
import { tbsCertificate } from './tbs-certificate.js';
import { validityFor } from './validity.js';

/** What a CA store keeps: the certificate (public) and its PKCS#8 private key (secret). */
export interface CaMaterial {
  certificatePem: string;
  privateKeyPem: string;
}

export interface CertificateAuthority {
  certificatePem: string;
  commonName: string;
  /** Lowercase hex. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  /** "ECDSA P-256", "RSA 3072"… */
  keyDescription: string;
  /** DER Name, exactly as in the CA certificate (verifiers such as Go compare these bytes). */
  subject: Uint8Array;
  keyId: Uint8Array;
  /** The encoded authorityKeyIdentifier extension every certificate it signs carries. */
  authorityKeyIdExtension: Uint8Array;
  signer: Signer;
}

export interface NewCa extends CaMaterial {
  ca: CertificateAuthority;
}

export async function createCa(spec: CaSpec, ctx: PkiContext): Promise<NewCa> {
  const key = await ctx.generateKey(spec.key);
  const signer = ctx.openSigner(key.privateKeyPem);
  const { notBefore, notAfter } = validityFor({
    now: ctx.now(),
    ttlSeconds: spec.validitySeconds,
    limitSeconds: spec.validitySeconds,
    limitSource: 'the CA validity',
  });
  const subject = commonNameSubject(spec.commonName);
  const tbs = tbsCertificate({
    serial: newSerial(ctx.randomBytes).der,
    signatureAlgorithm: signer.algorithmIdentifier,
    issuer: subject,
    subject,
    notBefore,
    notAfter,
    publicKey: signer.publicKey,
    extensions: caExtensions(keyIdentifier(signer.publicKey)),
  });
  const certificatePem = toPem('CERTIFICATE', await signed(tbs, signer));
  return {
    certificatePem,
    privateKeyPem: key.privateKeyPem,
    ca: loadCa({ certificatePem, privateKeyPem: key.privateKeyPem }, ctx),
  };
}

/** Checks that the material is a usable CA and that the key belongs to the certificate. */
export function loadCa(material: CaMaterial, ctx: Pick<PkiContext, 'openSigner'>): CertificateAuthority {
  const der = fromPem(material.certificatePem, ['CERTIFICATE'], 'the CA certificate');
  let cert: ReadCertificate;
  let isCa: boolean;
  try {
    cert = readCertificate(der);
    isCa = isCaConstraint(cert.extensions.get(OID.basicConstraints));
  } catch {
    throw new WardenError('invalid-input', 'the CA certificate is not a readable X.509 certificate');
  }
  if (!isCa)
    throw new WardenError('invalid-input', 'the CA certificate is not a CA (basicConstraints cA is not set)');
  const signer = ctx.openSigner(material.privateKeyPem);
  const accepted = acceptPublicKey(cert.spki, 'the CA certificate key');
  if (Buffer.compare(Buffer.from(accepted.spki), Buffer.from(signer.publicKey)) !== 0) {
    throw new WardenError('invalid-input', 'the CA private key does not belong to the CA certificate');
  }
  const keyId = keyIdentifier(accepted.spki);
  return {
    certificatePem: toPem('CERTIFICATE', der),
    commonName: commonNames(cert.subjectAttributes)[0] ?? '',
    serial: cert.serialHex,
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    keyDescription: accepted.description,
    subject: cert.subject,
    keyId,
    authorityKeyIdExtension: authorityKeyIdentifier(keyId),
    signer,
  };
}
