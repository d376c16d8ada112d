// The DER reader behind CSR parsing and certificate loading, held to independent parsers: node's
// X509Certificate for certificates, known encodings for OIDs and times, and refusals for the
// malformed shapes an attacker can send.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readElement, readTime, TAG, time } from '../../shared/pki/der.js';
import { createCa, issueMemberCertificate, loadCa, nodePkiContext } from '../../shared/pki/index.js';
import { oidDer, oidText } from '../../shared/pki/oid.js';
import { fromPem } from '../../shared/pki/pem.js';
import { generalNames, readCertificate } from '../../shared/pki/read-certificate.js';
import { caSpec } from './fixtures.js';

const ctx = nodePkiContext();
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('object identifiers', () => {
  it('encode as X.690 says and read back to the same text', () => {
    // Prepare: known encodings (RFC 5280, X.690 §8.19.5 for the large second arc)
    const known: [string, string][] = [
      ['2.5.4.3', '0603550403'],
      ['1.2.840.10045.4.3.2', '06082a8648ce3d040302'],
      ['1.3.6.1.5.5.7.3.1', '06082b06010505070301'],
      ['2.999.3', '0603883703'],
      ['1.2.840.113549.1.9.14', '06092a864886f70d01090e'],
    ];
    for (const [dotted, der] of known) {
      // Act
      const encoded = oidDer(dotted);
      // Assess
      expect(hex(encoded)).toBe(der);
      expect(oidText(encoded.subarray(2))).toBe(dotted);
    }
  });

  it('refuses a non-minimal subidentifier, an unfinished one and an empty value', () => {
    // Prepare, Act and Assess
    expect(() => oidText(Uint8Array.of(0x2a, 0x80, 0x01))).toThrow(/malformed OID/);
    expect(() => oidText(Uint8Array.of(0x2a, 0x86))).toThrow(/malformed OID/);
    expect(() => oidText(new Uint8Array(0))).toThrow(/malformed OID/);
  });
});

describe('times', () => {
  it('read back what the writer writes, on both sides of the UTCTime/GeneralizedTime switch', () => {
    for (const iso of [
      '1999-12-31T23:59:59Z',
      '2049-12-31T23:59:59Z',
      '2050-01-01T00:00:00Z',
      '2126-06-15T12:00:00Z',
    ]) {
      // Prepare
      const encoded = time(new Date(iso));
      // Act
      const read = readTime(encoded, readElement(encoded));
      // Assess
      expect(read.toISOString()).toBe(iso.replace('Z', '.000Z'));
      expect(encoded[0]).toBe(iso < '2050' ? TAG.utcTime : TAG.generalizedTime);
    }
  });

  it('refuses impossible dates, fractions and offsets', () => {
    const utc = (text: string) => Uint8Array.from([TAG.utcTime, text.length, ...Buffer.from(text)]);
    for (const text of [
      '261301000000Z',
      '260230000000Z',
      '261201250000Z',
      '2612010000Z',
      '261201000000+0100',
    ]) {
      // Prepare
      const encoded = utc(text);
      // Act and Assess
      expect(() => readTime(encoded, readElement(encoded)), text).toThrow(/malformed DER time/);
    }
  });
});

describe('reading a certificate', () => {
  it('finds what node’s own X.509 parser finds in a member certificate', async () => {
    // Prepare
    const ca = await createCa(caSpec('rsa-2048'), ctx);
    const authority = loadCa(ca, ctx);
    const issued = await issueMemberCertificate(
      authority,
      'etcd-1',
      ['10.0.0.11', 'etcd-1.example.internal', '::1'],
      ctx,
    );
    const der = fromPem(issued.certificatePem, ['CERTIFICATE'], 'the certificate');
    const node = new X509Certificate(issued.certificatePem);
    // Act
    const read = readCertificate(der);
    // Assess
    expect(read.serialHex.toUpperCase()).toBe(node.serialNumber.replace(/^0+(?=.)/, ''));
    expect(read.notBefore.getTime()).toBe(Date.parse(node.validFrom));
    expect(read.notAfter.getTime()).toBe(Date.parse(node.validTo));
    expect(Buffer.from(read.spki).equals(node.publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    expect(generalNames(read.extensions.get('2.5.29.17')).map((n) => n.type)).toEqual([7, 2, 7]);
    expect(read.extensions.get('2.5.29.19')?.critical).toBe(true);
    expect(read.extensions.get('2.5.29.37')?.critical).toBe(false);
    expect(authority.commonName).toBe('test CA rsa-2048');
    expect(new X509Certificate(ca.certificatePem).ca).toBe(true);
  });

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
    // Act and Assess
    expect(keyUsageOid).toBeGreaterThan(0);
    expect(() => readCertificate(withTrailing)).toThrow(/trailing/);
    expect(() => readCertificate(truncated)).toThrow(/truncated/);
    expect(() => readCertificate(repeated)).toThrow(/appears twice/);
  });
});
