// The minimal API other suites use: a CA, a member certificate and a client certificate, each
// judged by openssl.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  createCa,
  issueClientCertificate,
  issueMemberCertificate,
  nodePkiContext,
} from '../../shared/pki/index.js';
import type { CaSpec } from '../../shared/policy/types.js';
import { extensionText, verify, x509Fields, x509Text } from '../support/openssl.js';
import { P256_KEY, privateKeyDetails, VERIFIED, verifyVerdict } from './verdicts.js';

const spec: CaSpec = {
  commonName: 'quick CA',
  key: 'ecdsa-p256',
  validitySeconds: 3600 * 24 * 30,
  maxTtlSeconds: 3600 * 24,
  revoked: [],
};
const ctx = nodePkiContext();
let ca: CertificateAuthority;
let caPem: string;

beforeAll(async () => {
  const made = await createCa(spec, ctx);
  ca = made.ca;
  caPem = made.certificatePem;
});

describe('quick API', () => {
  it('issues a member certificate openssl accepts for both TLS server and client use', async () => {
    // Act
    const issued = await issueMemberCertificate(ca, 'etcd-1', ['127.0.0.1', 'localhost'], ctx);

    // Assess
    expect(verifyVerdict(caPem, issued.certificatePem, 'sslserver')).toEqual(VERIFIED);
    expect(verifyVerdict(caPem, issued.certificatePem, 'sslclient')).toEqual(VERIFIED);
    const text = x509Text(issued.certificatePem);
    expect(extensionText(text, 'X509v3 Subject Alternative Name')).toBe(
      'IP Address:127.0.0.1, DNS:localhost',
    );
    expect(x509Fields(issued.certificatePem, ['-subject', '-nameopt', 'RFC2253'])).toBe(
      'subject=CN=etcd-1\n',
    );
    expect(issued.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(privateKeyDetails(issued.privateKeyPem)).toEqual(P256_KEY);
  });

  it('issues a client certificate openssl accepts for client use only', async () => {
    // Act
    const issued = await issueClientCertificate(ca, 'calico-cni', ctx);

    // Assess
    expect(verifyVerdict(caPem, issued.certificatePem, 'sslclient')).toEqual(VERIFIED);
    const asServer = verify(caPem, issued.certificatePem, 'sslserver');
    expect(asServer.code).not.toBe(0);
    expect(x509Fields(issued.certificatePem, ['-subject', '-nameopt', 'RFC2253'])).toBe(
      'subject=CN=calico-cni\n',
    );
    expect(issued.notAfter.getTime() - issued.notBefore.getTime()).toBe((86_400 + 300) * 1000);
  });
});
