// The CA: creating a self-signed root from the policy's CaSpec, and loading one from its stored
// certificate and key into a signing-ready object that holds no key bytes (only a Signer).
import * as pkijs from 'pkijs';
import { WardenError } from '../errors.js';
import type { CaSpec } from '../policy/types.js';
import { encodedOnce } from './asn1.js';
import { extensionValue, readCertificate, serialHex, unsignedCertificate } from './certificate.js';
import type { PkiContext } from './context.js';
import { authorityKeyIdentifier, caExtensions } from './extensions.js';
import { keyIdentifier } from './key-identifier.js';
import { OID } from './object-identifiers.js';
import { fromPem, toPem } from './pem.js';
import { acceptPublicKey } from './public-key.js';
import { newSerial } from './serial.js';
import { signed } from './signed.js';
import type { Signer } from './signer.js';
import { commonNameSubject, commonNames } from './subject.js';
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
  /** The CA's Name as its certificate holds it, byte for byte: the issuer of what it signs. */
  name: pkijs.RelativeDistinguishedNames;
  /** The authorityKeyIdentifier extension every certificate and CRL it signs carries. */
  authorityKeyIdExtension: pkijs.Extension;
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
  const { publicKeyInfo: publicKey } = acceptPublicKey(signer.publicKey, 'the CA key');
  const certificate = unsignedCertificate({
    serial: newSerial(ctx.randomBytes).integer,
    issuer: subject,
    subject,
    notBefore,
    notAfter,
    publicKey,
    extensions: caExtensions(keyIdentifier(publicKey)),
  });
  const certificatePem = toPem('CERTIFICATE', await signed(certificate, signer));
  return {
    certificatePem,
    privateKeyPem: key.privateKeyPem,
    ca: loadCa({ certificatePem, privateKeyPem: key.privateKeyPem }, ctx),
  };
}

/** Checks that the material is a usable CA and that the key belongs to the certificate. */
export function loadCa(material: CaMaterial, ctx: Pick<PkiContext, 'openSigner'>): CertificateAuthority {
  const der = fromPem(material.certificatePem, ['CERTIFICATE'], 'the CA certificate');
  let cert: pkijs.Certificate;
  let isCa: boolean;
  try {
    cert = readCertificate(der, 'the CA certificate');
    isCa = extensionValue(cert, OID.basicConstraints, pkijs.BasicConstraints)?.cA === true;
  } catch {
    throw new WardenError('invalid-input', 'the CA certificate is not a readable X.509 certificate');
  }
  if (!isCa)
    throw new WardenError('invalid-input', 'the CA certificate is not a CA (basicConstraints cA is not set)');
  const signer = ctx.openSigner(material.privateKeyPem);
  const spki = new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER());
  const accepted = acceptPublicKey(spki, 'the CA certificate key');
  if (Buffer.compare(Buffer.from(accepted.spki), Buffer.from(signer.publicKey)) !== 0) {
    throw new WardenError('invalid-input', 'the CA private key does not belong to the CA certificate');
  }
  return {
    certificatePem: toPem('CERTIFICATE', der),
    commonName: commonNames(cert.subject)[0] ?? '',
    serial: serialHex(cert),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    keyDescription: accepted.description,
    name: encodedOnce(cert.subject),
    authorityKeyIdExtension: authorityKeyIdentifier(keyIdentifier(accepted.publicKeyInfo)),
    signer,
  };
}
