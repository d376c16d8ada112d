// What pkijs writes for us, held to independent readers: node's X509Certificate and openssl
// asn1parse see the fields we meant (serial, validity, key, SANs, the RFC 5280 time types and
// algorithm parameters), and reading refuses the malformed certificates an attacker can hand in.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readCertificate } from '../../shared/pki/certificate.js';
import {
  buildCrl,
  certificateInfo,
  createCa,
  issueMemberCertificate,
  loadCa,
  nodePkiContext,
} from '../../shared/pki/index.js';
import { fromPem } from '../../shared/pki/pem.js';
import { openssl } from '../support/openssl.js';
import { caSpec } from './fixtures.js';

const ctx = nodePkiContext();
const at = (iso: string) => ({ ...ctx, now: () => new Date(iso) });

/** The primitive ASN.1 types and values openssl asn1parse finds, in order, e.g. ["UTCTIME :491231…"]. */
const primitives = (pem: string, type: RegExp): string[] =>
  openssl(['asn1parse'], pem)
    .stdout.split('\n')
    .flatMap((line) => {
      const match = /prim: (\S+)\s*(:.*)?$/.exec(line);
      return match && type.test(match[1] as string) ? [`${match[1]} ${match[2] ?? ''}`.trim()] : [];
    });

describe('certificates as node reads them', () => {
  it('say what we issued: serial, validity, key, SANs in order, the issuer and its signature', async () => {
    // Prepare
    const made = await createCa(caSpec('rsa-2048'), ctx);
    const hosts = ['10.0.0.11', 'etcd-1.example.internal', '::1'];
    // Act
    const issued = await issueMemberCertificate(made.ca, 'etcd-1', hosts, ctx);
    const node = new X509Certificate(issued.certificatePem);
    const caNode = new X509Certificate(made.certificatePem);
    // Assess
    expect(node.serialNumber.replace(/^0+(?=.)/, '')).toBe(issued.serial.toUpperCase());
    expect(Date.parse(node.validFrom)).toBe(issued.notBefore.getTime());
    expect(Date.parse(node.validTo)).toBe(issued.notAfter.getTime());
    expect(node.subject).toBe('CN=etcd-1');
    // Names as UTF8String (RFC 5280 §4.1.2.6), the CA's as its certificate has it.
    expect(primitives(issued.certificatePem, /^(UTF8|PRINTABLE|IA5|BMP|T61)STRING$/)).toEqual([
      'UTF8STRING :test CA rsa-2048',
      'UTF8STRING :etcd-1',
    ]);
    expect(node.subjectAltName).toBe(
      'IP Address:10.0.0.11, DNS:etcd-1.example.internal, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(node.checkIssued(caNode)).toBe(true);
    expect(node.verify(caNode.publicKey)).toBe(true);
    expect(node.ca).toBe(false);
    expect(caNode.ca).toBe(true);
    expect(certificateInfo(issued.certificatePem, 'the certificate')).toEqual({
      commonName: 'etcd-1',
      profile: 'member',
      hosts: ['10.0.0.11', 'etcd-1.example.internal', '0:0:0:0:0:0:0:1'],
      notAfter: issued.notAfter,
    });
  });

  it('read back by loadCa as node reads the CA certificate', async () => {
    // Prepare
    const made = await createCa(caSpec('ecdsa-p384'), ctx);
    const node = new X509Certificate(made.certificatePem);
    // Act
    const loaded = loadCa(made, ctx);
    // Assess
    expect(loaded.commonName).toBe('test CA ecdsa-p384');
    expect(loaded.serial.toUpperCase()).toBe(node.serialNumber.replace(/^0+(?=.)/, ''));
    expect(loaded.notBefore.getTime()).toBe(Date.parse(node.validFrom));
    expect(loaded.notAfter.getTime()).toBe(Date.parse(node.validTo));
    expect(loaded.keyDescription).toBe('ECDSA P-384');
  });
});

describe('RFC 5280 encodings', () => {
  it('write UTCTime through 2049 and GeneralizedTime from 2050 (and before 1950), in certificates and CRLs', async () => {
    // Prepare: a CA whose life crosses into 2050, and one made before 1950
    const crossing = await createCa(
      caSpec('ecdsa-p256', { validitySeconds: 30 * 86_400 }),
      at('2049-12-20T00:00:00Z'),
    );
    const early = await createCa(
      caSpec('ecdsa-p256', { validitySeconds: 86_400 }),
      at('1949-06-01T00:00:00Z'),
    );
    // Act
    const crl = await buildCrl(crossing.ca, ['1'], at('2049-12-30T00:00:00Z'));
    const issued = await issueMemberCertificate(
      crossing.ca,
      'etcd-1',
      ['127.0.0.1'],
      at('2049-12-31T12:00:00Z'),
    );
    // Assess
    const times = (pem: string) => primitives(pem, /TIME$/);
    expect({
      ca: times(crossing.certificatePem),
      issued: times(issued.certificatePem),
      early: times(early.certificatePem),
      crl: times(crl.crlPem),
    }).toEqual({
      ca: ['UTCTIME :491219235500Z', 'GENERALIZEDTIME :20500119000000Z'],
      issued: ['UTCTIME :491231115500Z', 'GENERALIZEDTIME :20500101120000Z'],
      early: ['GENERALIZEDTIME :19490531235500Z', 'GENERALIZEDTIME :19490602000000Z'],
      // thisUpdate, nextUpdate, then the entry's revocationDate
      crl: ['UTCTIME :491230000000Z', 'GENERALIZEDTIME :20500106000000Z', 'UTCTIME :491230000000Z'],
    });
    expect(loadCa(crossing, ctx).notAfter.toISOString()).toBe('2050-01-19T00:00:00.000Z');
    expect(loadCa(early, ctx).notBefore.toISOString()).toBe('1949-05-31T23:55:00.000Z');
  });

  it('give RSA signature algorithms an explicit NULL parameter and ECDSA none', async () => {
    // Prepare
    const rsa = await createCa(caSpec('rsa-2048'), ctx);
    const ecdsa = await createCa(caSpec('ecdsa-p256'), ctx);
    // Act
    const rsaFields = primitives(rsa.certificatePem, /^(OBJECT|NULL)$/);
    const ecdsaFields = primitives(ecdsa.certificatePem, /^(OBJECT|NULL)$/);
    // Assess: signature (in the TBS), key algorithm and its NULL, then signatureAlgorithm
    expect(rsaFields.slice(0, 4)).toEqual([
      'OBJECT :sha256WithRSAEncryption',
      'NULL',
      'OBJECT :commonName',
      'OBJECT :commonName',
    ]);
    expect(rsaFields.slice(4, 6)).toEqual(['OBJECT :rsaEncryption', 'NULL']);
    expect(rsaFields.slice(-2)).toEqual(['OBJECT :sha256WithRSAEncryption', 'NULL']);
    expect(ecdsaFields.slice(0, 5)).toEqual([
      'OBJECT :ecdsa-with-SHA256',
      'OBJECT :commonName',
      'OBJECT :commonName',
      'OBJECT :id-ecPublicKey',
      'OBJECT :prime256v1',
    ]);
    expect(ecdsaFields.at(-1)).toBe('OBJECT :ecdsa-with-SHA256');
    expect(ecdsaFields).not.toContain('NULL');
  });
});

describe('reading a certificate', () => {
  it('refuses trailing bytes, truncation and a repeated extension', async () => {
    // Prepare
    const ca = await createCa(caSpec(), ctx);
    const der = fromPem(ca.certificatePem, ['CERTIFICATE'], 'the CA certificate');
    const withTrailing = Uint8Array.from([...der, 0]);
    const truncated = der.subarray(0, der.length - 1);
    // The CA has basicConstraints then keyUsage: relabel keyUsage's OID (2.5.29.15) as basicConstraints (…19).
    const repeated = Uint8Array.from(der);
    const keyUsageOid = Buffer.from(repeated).indexOf(Buffer.from('0603551d0f', 'hex'));
    repeated[keyUsageOid + 4] = 0x13;
    const pem = (bytes: Uint8Array) =>
      `-----BEGIN CERTIFICATE-----\n${Buffer.from(bytes).toString('base64')}\n-----END CERTIFICATE-----\n`;
    // Act and Assess
    expect(keyUsageOid).toBeGreaterThan(0);
    expect(() => readCertificate(withTrailing, 'the certificate')).toThrow(/1 bytes after its end/);
    expect(() => readCertificate(truncated, 'the certificate')).toThrow(/truncated/);
    expect(() => readCertificate(repeated, 'the certificate')).toThrow(/extension 2\.5\.29\.19 twice/);
    for (const bad of [withTrailing, truncated, repeated]) {
      expect(() => loadCa({ ...ca, certificatePem: pem(bad) }, ctx)).toThrow(
        'the CA certificate is not a readable X.509 certificate',
      );
      expect(() => certificateInfo(pem(bad), 'app.pem')).toThrow(
        'app.pem is not a readable X.509 certificate',
      );
    }
  });
});
