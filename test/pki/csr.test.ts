// Certificates from CSRs, and a corpus of bad CSRs each refused with its own message and no
// certificate. The CSRs (good and bad) are made by openssl, not by our code.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  createCa,
  issueForName,
  MAX_CSR_BYTES,
  nodePkiContext,
} from '../../shared/pki/index.js';
import type { Policy } from '../../shared/policy/types.js';
import {
  extensionNames,
  extensionText,
  type KeySpec,
  openssl,
  opensslCsr,
  opensslKey,
  x509Fields,
  x509Text,
} from '../support/openssl.js';
import { policy } from './fixtures.js';
import { VERIFIED, verifyVerdict } from './verdicts.js';

const ctx = nodePkiContext();
let p: Policy;
let ca: CertificateAuthority;
let caPem: string;

const opensslPublicKey = (keyPem: string): string => openssl(['pkey', '-pubout'], keyPem).stdout;

beforeAll(async () => {
  p = policy();
  const made = await createCa(p.ca, ctx);
  ca = made.ca;
  caPem = made.certificatePem;
});

describe('a good CSR', () => {
  const GOOD: [KeySpec, string][] = [
    ['ec:P-256', 'id-ecPublicKey'],
    ['ec:P-384', 'id-ecPublicKey'],
    ['ec:P-521', 'id-ecPublicKey'],
    ['rsa:2048', 'rsaEncryption'],
    ['rsa:4096', 'rsaEncryption'],
    ['ed25519', 'ED25519'],
  ];

  it.each(GOOD)('with a %s key gets a client certificate for its own key', async (spec, algorithm) => {
    // Prepare
    const key = opensslKey(spec);
    const csr = opensslCsr(key, '/CN=app').toString('utf8');

    // Act
    const issued = await issueForName(p, ca, { name: 'app', csr }, ctx);

    // Assess
    expect(verifyVerdict(caPem, issued.certificatePem, 'sslclient')).toEqual(VERIFIED);
    const text = x509Text(issued.certificatePem);
    expect(text).toContain(`Public Key Algorithm: ${algorithm}`);
    expect(issued.privateKeyPem).toBeUndefined();
    expect(issued.ignored).toEqual([]);
    // The certificate carries the CSR's key: openssl derives the same public key from both.
    const fromKey = x509Fields(issued.certificatePem, ['-pubkey']);
    expect(fromKey).toContain('-----BEGIN PUBLIC KEY-----');
    expect(opensslPublicKey(key)).toBe(fromKey);
  });

  it('in DER form works for a member, with SANs from the policy', async () => {
    // Prepare
    const csr = opensslCsr(opensslKey('ec:P-256'), '/CN=etcd-1', { der: true });

    // Act
    const issued = await issueForName(p, ca, { name: 'etcd-1', csr: new Uint8Array(csr) }, ctx);

    // Assess
    expect(verifyVerdict(caPem, issued.certificatePem, 'sslserver')).toEqual(VERIFIED);
    expect(extensionText(x509Text(issued.certificatePem), 'X509v3 Subject Alternative Name')).toBe(
      'IP Address:127.0.0.1, DNS:localhost, IP Address:0:0:0:0:0:0:0:1, DNS:etcd-1.example.internal',
    );
  });

  // keyEncipherment only for RSA subjects: TLS 1.2 RSA key exchange encrypts to the server's key.
  const MEMBER_KEYS: [KeySpec, string, string][] = [
    ['rsa:2048', 'Public-Key: (2048 bit)', 'Digital Signature, Key Encipherment'],
    ['rsa:3072', 'Public-Key: (3072 bit)', 'Digital Signature, Key Encipherment'],
    ['ec:P-384', 'NIST CURVE: P-384', 'Digital Signature'],
    ['ed25519', 'Public Key Algorithm: ED25519', 'Digital Signature'],
  ];

  it.each(MEMBER_KEYS)(
    'with a %s key gets a member certificate for server and peer use with its key usage',
    async (spec, publicKeyLine, keyUsage) => {
      // Prepare
      const key = opensslKey(spec);
      const csr = opensslCsr(key, '/CN=etcd-1').toString('utf8');

      // Act
      const issued = await issueForName(p, ca, { name: 'etcd-1', csr }, ctx);

      // Assess
      expect(verifyVerdict(caPem, issued.certificatePem, 'sslserver')).toEqual(VERIFIED);
      expect(verifyVerdict(caPem, issued.certificatePem, 'sslclient')).toEqual(VERIFIED);
      const text = x509Text(issued.certificatePem);
      expect(text).toContain(publicKeyLine);
      expect(extensionNames(text)).toContain('X509v3 Key Usage: critical');
      expect(extensionText(text, 'X509v3 Key Usage')).toBe(keyUsage);
      expect(extensionText(text, 'X509v3 Extended Key Usage')).toBe(
        'TLS Web Server Authentication, TLS Web Client Authentication',
      );
      expect(x509Fields(issued.certificatePem, ['-pubkey'])).toBe(opensslPublicKey(key));
    },
  );

  it('asking for SANs, usages, CA rights and extra subject attributes gets none of them (ignored and listed)', async () => {
    // Prepare
    const csr = opensslCsr(opensslKey('ec:P-256'), '/O=system:masters/CN=app', {
      addext: [
        'subjectAltName=DNS:evil.example,IP:10.9.9.9',
        'basicConstraints=critical,CA:TRUE',
        'extendedKeyUsage=serverAuth,codeSigning',
      ],
    }).toString('utf8');

    // Act
    const issued = await issueForName(p, ca, { name: 'app', csr }, ctx);

    // Assess
    const text = x509Text(issued.certificatePem);
    expect(x509Fields(issued.certificatePem, ['-subject', '-nameopt', 'RFC2253'])).toBe('subject=CN=app\n');
    expect(extensionNames(text)).not.toContain('X509v3 Subject Alternative Name');
    expect(extensionText(text, 'X509v3 Basic Constraints')).toBe('CA:FALSE');
    expect(extensionText(text, 'X509v3 Extended Key Usage')).toBe('TLS Web Client Authentication');
    expect(text).not.toContain('evil.example');
    expect(issued.ignored).toEqual([
      'subject attribute 2.5.4.10',
      'extension subjectAltName',
      'extension basicConstraints',
      'extension extKeyUsage',
    ]);
  });
});

describe('a bad CSR', () => {
  const goodDer = (): Buffer => opensslCsr(opensslKey('ec:P-256'), '/CN=app', { der: true });

  const CORPUS: [string, () => string | Uint8Array, string][] = [
    [
      'garbage bytes',
      () => new Uint8Array(Buffer.from('this is not a certificate request at all')),
      'the CSR is neither DER (a SEQUENCE) nor PEM (expected -----BEGIN CERTIFICATE REQUEST-----)',
    ],
    [
      'a DER SEQUENCE that is no CSR',
      () => new Uint8Array([0x30, 3, 2, 1, 5]),
      'the CSR has 1 fields; PKCS#10 has 3 (request info, algorithm, signature)',
    ],
    ['an empty input', () => '', 'the CSR is empty'],
    [
      'PEM with a damaged body',
      () => '-----BEGIN CERTIFICATE REQUEST-----\n%%%not base64%%%\n-----END CERTIFICATE REQUEST-----\n',
      'the CSR has a damaged PEM body (not base64)',
    ],
    [
      'a PEM certificate instead',
      () => caPem,
      'the CSR is not PEM (expected -----BEGIN CERTIFICATE REQUEST-----)',
    ],
    ['truncated DER', () => new Uint8Array(goodDer().subarray(0, 100)), 'the CSR is truncated: 100 of '],
    [
      'DER with trailing bytes',
      () => new Uint8Array(Buffer.concat([goodDer(), Buffer.from([0, 0])])),
      'the CSR has 2 bytes after its end',
    ],
    [
      'a wrong signature',
      () => {
        const der = goodDer();
        // The ECDSA signature's last byte is the CSR's last byte.
        der[der.length - 1] = (der[der.length - 1] as number) ^ 0x01;
        return new Uint8Array(der);
      },
      "the CSR's signature does not verify with its own key (no proof of possession)",
    ],
    [
      'an RSA-1024 key',
      () => opensslCsr(opensslKey('rsa:1024'), '/CN=app').toString(),
      "the CSR's key is RSA 1024: RSA keys need at least 2048 bits",
    ],
    [
      'a secp256k1 key',
      () => opensslCsr(opensslKey('ec:secp256k1'), '/CN=app').toString(),
      "the CSR's key uses curve secp256k1: only P-256, P-384 and P-521 are accepted",
    ],
    [
      'a SHA-1 signature',
      () => opensslCsr(opensslKey('rsa:2048'), '/CN=app', { digest: 'sha1' }).toString(),
      'the CSR is signed with algorithm 1.2.840.113549.1.1.5; accepted are ECDSA and RSA PKCS#1 v1.5 with SHA-256/384/512, and Ed25519',
    ],
    [
      'over 64 KB',
      () => `${opensslCsr(opensslKey('ec:P-256'), '/CN=app').toString()}${' '.repeat(MAX_CSR_BYTES)}`,
      `bytes; at most ${MAX_CSR_BYTES} are accepted`,
    ],
    [
      'a CN for another user',
      () => opensslCsr(opensslKey('ec:P-256'), '/CN=root').toString(),
      'the CSR\'s common name "root" does not match the requested name "app"',
    ],
    [
      'no CN',
      () => opensslCsr(opensslKey('ec:P-256'), '/O=app').toString(),
      "the CSR's subject must hold exactly one common name (CN); it holds 0",
    ],
    [
      'two CNs',
      () => opensslCsr(opensslKey('ec:P-256'), '/CN=app/CN=root').toString(),
      "the CSR's subject must hold exactly one common name (CN); it holds 2",
    ],
  ];

  it.each(CORPUS)('(%s) is refused with its own message', async (_label, make, message) => {
    // Prepare
    const csr = make();

    // Act
    const result = issueForName(p, ca, { name: 'app', csr }, ctx);

    // Assess: the exact message, a WardenError for bad input, and no certificate
    await expect(result).rejects.toMatchObject({ name: 'WardenError', code: 'invalid-input' });
    await expect(result).rejects.toThrow(message);
  });

  it('messages are distinct across the corpus', () => {
    // Assess
    expect(new Set(CORPUS.map(([, , message]) => message)).size).toBe(CORPUS.length);
  });
});
