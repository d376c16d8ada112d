// Issued certificates judged by openssl: chain and purpose (`verify -x509_strict -purpose`),
// and exactly the subject, SANs, usages, validity and key identifiers (`x509 -text`).
import { describe, expect, it } from 'vitest';
import {
  CLOCK_SKEW_SECONDS,
  createCa,
  issueForName,
  nodePkiContext,
  signCertificate,
} from '../../shared/pki/index.js';
import type { KeyAlgorithm } from '../../shared/policy/types.js';
import { extensionNames, extensionText, openssl, verify, x509Fields, x509Text } from '../support/openssl.js';
import { caSpec, policy } from './fixtures.js';
import { P256_KEY, privateKeyDetails, VERIFIED, verifyVerdict } from './verdicts.js';

const ctx = nodePkiContext();
const KEYS: KeyAlgorithm[] = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'];
const SIGNATURE: Record<KeyAlgorithm, string> = {
  'ecdsa-p256': 'ecdsa-with-SHA256',
  'ecdsa-p384': 'ecdsa-with-SHA384',
  'rsa-2048': 'sha256WithRSAEncryption',
  'rsa-3072': 'sha256WithRSAEncryption',
  'rsa-4096': 'sha256WithRSAEncryption',
};
const CA_KEY: Record<KeyAlgorithm, Record<string, unknown>> = {
  'ecdsa-p256': P256_KEY,
  'ecdsa-p384': { type: 'ec', namedCurve: 'secp384r1' },
  'rsa-2048': { type: 'rsa', modulusLength: 2048, publicExponent: 65537n },
  'rsa-3072': { type: 'rsa', modulusLength: 3072, publicExponent: 65537n },
  'rsa-4096': { type: 'rsa', modulusLength: 4096, publicExponent: 65537n },
};

const opensslDate = (pem: string, field: 'startdate' | 'enddate'): number =>
  Date.parse(
    x509Fields(pem, [`-${field}`])
      .trim()
      .replace(/^not(Before|After)=/, ''),
  );

describe.each(KEYS)('a %s CA', (key) => {
  it('is a self-signed root with CA constraints, keyCertSign + cRLSign and key identifiers', async () => {
    // Prepare
    const spec = caSpec(key, { validitySeconds: 5 * 365 * 86_400 });
    const before = Date.now();

    // Act
    const made = await createCa(spec, ctx);

    // Assess
    expect(verifyVerdict(made.certificatePem, made.certificatePem, 'any')).toEqual(VERIFIED);
    const text = x509Text(made.certificatePem);
    expect(x509Fields(made.certificatePem, ['-subject', '-issuer', '-nameopt', 'RFC2253'])).toBe(
      `subject=CN=test CA ${key}\nissuer=CN=test CA ${key}\n`,
    );
    expect(extensionNames(text)).toEqual([
      'X509v3 Basic Constraints: critical',
      'X509v3 Key Usage: critical',
      'X509v3 Subject Key Identifier',
      'X509v3 Authority Key Identifier',
    ]);
    expect(extensionText(text, 'X509v3 Basic Constraints')).toBe('CA:TRUE, pathlen:0');
    expect(extensionText(text, 'X509v3 Key Usage')).toBe('Certificate Sign, CRL Sign');
    expect(text).toContain(`Signature Algorithm: ${SIGNATURE[key]}`);
    const ski = extensionText(text, 'X509v3 Subject Key Identifier');
    expect(ski).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(extensionText(text, 'X509v3 Authority Key Identifier')).toBe(ski);
    const notBefore = opensslDate(made.certificatePem, 'startdate');
    const notAfter = opensslDate(made.certificatePem, 'enddate');
    expect(notAfter - notBefore).toBe((5 * 365 * 86_400 + 300) * 1000);
    expect(notBefore).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 300_000);
    expect(made.ca.notAfter.getTime()).toBe(notAfter);
    expect(made.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(privateKeyDetails(made.privateKeyPem)).toEqual(CA_KEY[key]);
  });

  it('issues member and client certificates that pass openssl verify for exactly their purposes', async () => {
    // Prepare
    const p = policy(caSpec(key));
    const { ca, certificatePem: caPem } = await createCa(p.ca, ctx);
    const caSki = extensionText(x509Text(caPem), 'X509v3 Subject Key Identifier');

    // Act
    const member = await issueForName(p, ca, { name: 'etcd-1' }, ctx);
    const client = await issueForName(p, ca, { name: 'app' }, ctx);

    // Assess: member — server and peer (client) use, SANs typed by kind
    expect(verifyVerdict(caPem, member.certificatePem, 'sslserver')).toEqual(VERIFIED);
    expect(verifyVerdict(caPem, member.certificatePem, 'sslclient')).toEqual(VERIFIED);
    const m = x509Text(member.certificatePem);
    expect(x509Fields(member.certificatePem, ['-subject', '-issuer', '-nameopt', 'RFC2253'])).toBe(
      `subject=CN=etcd-1\nissuer=CN=test CA ${key}\n`,
    );
    expect(extensionNames(m)).toEqual([
      'X509v3 Basic Constraints: critical',
      'X509v3 Key Usage: critical',
      'X509v3 Extended Key Usage',
      'X509v3 Subject Key Identifier',
      'X509v3 Authority Key Identifier',
      'X509v3 Subject Alternative Name',
    ]);
    expect(extensionText(m, 'X509v3 Basic Constraints')).toBe('CA:FALSE');
    expect(extensionText(m, 'X509v3 Key Usage')).toBe('Digital Signature');
    expect(extensionText(m, 'X509v3 Extended Key Usage')).toBe(
      'TLS Web Server Authentication, TLS Web Client Authentication',
    );
    expect(extensionText(m, 'X509v3 Subject Alternative Name')).toBe(
      'IP Address:127.0.0.1, DNS:localhost, IP Address:0:0:0:0:0:0:0:1, DNS:etcd-1.example.internal',
    );
    expect(extensionText(m, 'X509v3 Authority Key Identifier')).toBe(caSki);
    expect(m).toContain(`Signature Algorithm: ${SIGNATURE[key]}`);
    expect(opensslDate(member.certificatePem, 'startdate')).toBe(member.notBefore.getTime());
    expect(opensslDate(member.certificatePem, 'enddate')).toBe(member.notAfter.getTime());
    expect(member.notAfter.getTime() - member.notBefore.getTime()).toBe((90 * 86_400 + 300) * 1000);

    // Assess: client — clientAuth only, no SANs, refused as a server
    expect(verifyVerdict(caPem, client.certificatePem, 'sslclient')).toEqual(VERIFIED);
    const asServer = verify(caPem, client.certificatePem, 'sslserver');
    expect(asServer.code).toBe(2);
    expect(asServer.stdout + asServer.stderr).toContain(
      'error 26 at 0 depth lookup: unsuitable certificate purpose',
    );
    const c = x509Text(client.certificatePem);
    expect(x509Fields(client.certificatePem, ['-subject', '-nameopt', 'RFC2253'])).toBe('subject=CN=app\n');
    expect(extensionNames(c)).toEqual([
      'X509v3 Basic Constraints: critical',
      'X509v3 Key Usage: critical',
      'X509v3 Extended Key Usage',
      'X509v3 Subject Key Identifier',
      'X509v3 Authority Key Identifier',
    ]);
    expect(extensionText(c, 'X509v3 Extended Key Usage')).toBe('TLS Web Client Authentication');
    expect(client.notAfter.getTime() - client.notBefore.getTime()).toBe((24 * 3600 + 300) * 1000);
    expect(client.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(privateKeyDetails(client.privateKeyPem as string)).toEqual(P256_KEY);
    expect(privateKeyDetails(member.privateKeyPem as string)).toEqual(P256_KEY);
  });
});

describe('serials', () => {
  it('are positive, minimally encoded, 16 bytes and distinct', async () => {
    // Prepare
    const p = policy();
    const { ca, certificatePem: caPem } = await createCa(p.ca, ctx);

    // Act
    const serials: string[] = [];
    for (let i = 0; i < 50; i++) serials.push((await issueForName(p, ca, { name: 'app' }, ctx)).serial);
    const last = await issueForName(p, ca, { name: 'app' }, ctx);

    // Assess
    expect(new Set(serials).size).toBe(50);
    for (const s of serials) expect(s).toMatch(/^[4-7][0-9a-f]{31}$/);
    expect(x509Fields(last.certificatePem, ['-serial'])).toBe(`serial=${last.serial.toUpperCase()}\n`);
    expect(verifyVerdict(caPem, last.certificatePem, 'sslclient')).toEqual(VERIFIED);
  });
});

/** The serial INTEGER of a certificate as `openssl asn1parse` reads it: content length and value. */
const serialInteger = (pem: string): { length: number; value: string } => {
  const match = /d=2 +hl=2 l= *(\d+) prim: INTEGER +:([0-9A-F]+)/.exec(openssl(['asn1parse'], pem).stdout);
  if (!match) throw new Error('no serial INTEGER in openssl asn1parse output');
  return { length: Number(match[1]), value: match[2] as string };
};

describe('issuance with an injected clock and randomness', () => {
  it('backdates notBefore by exactly the clock skew, ends at now + TTL and takes the serial from the given bytes', async () => {
    // Prepare: a CA made an hour before "now" (so its own notBefore does not clamp the backdate),
    // randomness that returns known bytes and records what was asked, and an RSA CA whose
    // PKCS#1 v1.5 signatures are deterministic, so equal inputs must give equal certificates.
    const created = new Date('2031-05-06T07:08:09.000Z');
    const now = new Date('2031-05-06T08:08:09.000Z');
    const { ca, certificatePem: caPem } = await createCa(caSpec('rsa-2048'), { ...ctx, now: () => created });
    const asked: number[] = [];
    const fixedContext = (firstRandomByte: number) => ({
      now: () => now,
      randomBytes: (size: number) => {
        asked.push(size);
        return Uint8Array.from({ length: size }, (_, i) => (i === 0 ? firstRandomByte : i));
      },
    });
    const request = {
      profile: 'client',
      commonName: 'app',
      publicKey: (await ctx.generateKey('ecdsa-p256')).publicKey,
      ttlSeconds: 3600,
      limitSeconds: 3600,
      limitSource: 'test',
    } as const;

    // Act
    const high = await signCertificate(ca, request, fixedContext(0xff));
    const again = await signCertificate(ca, request, fixedContext(0xff));
    const low = await signCertificate(ca, request, fixedContext(0x00));

    // Assess: validity from the injected clock alone, in whole seconds (openssl shows the 5 minutes)
    expect(high.notBefore).toEqual(new Date(now.getTime() - CLOCK_SKEW_SECONDS * 1000));
    expect(high.notAfter).toEqual(new Date(now.getTime() + request.ttlSeconds * 1000));
    expect(x509Fields(high.certificatePem, ['-startdate', '-enddate'])).toBe(
      'notBefore=May  6 08:03:09 2031 GMT\nnotAfter=May  6 09:08:09 2031 GMT\n',
    );
    // Assess: 16 bytes asked per certificate; the serial is those bytes with the top two bits set to
    // 01 (positive, no leading zero octet), the rest taken as given
    expect(asked).toEqual([16, 16, 16]);
    expect(high.serial).toBe('7f0102030405060708090a0b0c0d0e0f');
    expect(low.serial).toBe('400102030405060708090a0b0c0d0e0f');
    expect(serialInteger(high.certificatePem)).toEqual({
      length: 16,
      value: '7F0102030405060708090A0B0C0D0E0F',
    });
    expect(serialInteger(low.certificatePem)).toEqual({
      length: 16,
      value: '400102030405060708090A0B0C0D0E0F',
    });
    // Assess: nothing but the injected clock and randomness varies the output
    expect(again.certificatePem).toBe(high.certificatePem);
    const atNow = ['-attime', String(now.getTime() / 1000)];
    expect(verifyVerdict(caPem, high.certificatePem, 'sslclient', atNow)).toEqual(VERIFIED);
  });
});

describe('lifetimes', () => {
  it('issues a shorter TTL on request and refuses one above the name’s limit', async () => {
    // Prepare
    const p = policy();
    const { ca } = await createCa(p.ca, ctx);

    // Act
    const short = await issueForName(p, ca, { name: 'app', ttlSeconds: 600 }, ctx);
    const tooLong = issueForName(p, ca, { name: 'app', ttlSeconds: 25 * 3600 }, ctx);

    // Assess
    expect(short.notAfter.getTime() - short.notBefore.getTime()).toBe(900_000);
    await expect(tooLong).rejects.toThrow('a TTL of 25h is above users.app.certificate.ttl (24h)');
  });

  it('refuses a TTL past the CA’s own expiry instead of truncating it', async () => {
    // Prepare: a CA that lives 2 hours, a member policy asking 90 days
    const p = policy(caSpec('ecdsa-p256', { validitySeconds: 7200 }));
    const { ca } = await createCa(p.ca, ctx);

    // Act
    const result = issueForName(p, ca, { name: 'etcd-1' }, ctx);

    // Assess
    await expect(result).rejects.toThrow(
      /would end after the CA expires .*; ask for at most 1h59m5\ds|would end after the CA expires .*; ask for at most 2h/,
    );
  });

  it('refuses a TTL above ca.maxTtl when the name’s own TTL exceeds it', async () => {
    // Prepare: a hand-built policy whose member TTL is above maxTtl
    const p = policy(caSpec('ecdsa-p256', { maxTtlSeconds: 3600 }));

    // Act
    const { ca } = await createCa(p.ca, ctx);
    const result = issueForName(p, ca, { name: 'etcd-1', ttlSeconds: 7200 }, ctx);

    // Assess
    await expect(result).rejects.toThrow('a TTL of 2h is above ca.maxTtl (1h)');
  });
});

describe('signing guards', () => {
  it('refuses an empty or over-long common name and a host that is neither IP nor DNS name', async () => {
    // Prepare
    const { ca } = await createCa(policy().ca, ctx);
    const key = (await ctx.generateKey('ecdsa-p256')).publicKey;
    const base = { ttlSeconds: 60, limitSeconds: 60, limitSource: 'test', publicKey: key };

    // Act
    const empty = signCertificate(ca, { ...base, profile: 'client', commonName: '' }, ctx);
    const long = signCertificate(ca, { ...base, profile: 'client', commonName: 'x'.repeat(65) }, ctx);
    const badHost = signCertificate(
      ca,
      { ...base, profile: 'member', commonName: 'etcd-9', hosts: ['not a host'] },
      ctx,
    );
    const clientWithHosts = signCertificate(
      ca,
      { ...base, profile: 'client', commonName: 'app', hosts: ['10.0.0.1'] },
      ctx,
    );

    // Assess
    await expect(empty).rejects.toThrow('a common name must have 1 to 64 characters (got 0)');
    await expect(long).rejects.toThrow('a common name must have 1 to 64 characters (got 65)');
    await expect(badHost).rejects.toThrow('"not a host" is neither an IP address nor a DNS name');
    await expect(clientWithHosts).rejects.toThrow('client certificates carry no subjectAltName');
  });
});

describe('names', () => {
  it('issues for a template instance and refuses names the policy does not know', async () => {
    // Prepare
    const p = policy();
    const { ca, certificatePem: caPem } = await createCa(p.ca, ctx);

    // Act
    const instance = await issueForName(p, ca, { name: 'calico-node-i-0123456789abcdef0' }, ctx);
    const stranger = issueForName(p, ca, { name: 'mallory' }, ctx);
    const notAnInstance = issueForName(p, ca, { name: 'calico-node-whatever' }, ctx);

    // Assess
    expect(instance.notAfter.getTime() - instance.notBefore.getTime()).toBe((2 * 3600 + 300) * 1000);
    expect(verifyVerdict(caPem, instance.certificatePem, 'sslclient')).toEqual(VERIFIED);
    await expect(stranger).rejects.toThrow(
      '"mallory" is neither a user nor a member in the policy; no certificate issued',
    );
    await expect(notAnInstance).rejects.toThrow('"calico-node-whatever" is neither a user nor a member');
  });

  it('refuses a member whose name is also an etcd user', async () => {
    // Prepare
    const p = policy();
    p.users['etcd-1'] = { name: 'etcd-1', roles: ['app'] };
    const { ca } = await createCa(p.ca, ctx);

    // Act
    const result = issueForName(p, ca, { name: 'etcd-1' }, ctx);

    // Assess
    await expect(result).rejects.toThrow(
      '"etcd-1" is both a member and an etcd user; no certificate issued (CVE-2018-16886)',
    );
  });
});
