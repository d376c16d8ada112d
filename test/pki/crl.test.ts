// The CRL from the policy's revoked serials, judged by openssl (signature, and revocation in
// chain verification). etcd reading it is covered in etcd.test.ts.
import { describe, expect, it } from 'vitest';
import { buildCrl, createCa, issueForName, nodePkiContext } from '../../shared/pki/index.js';
import { openssl, scratch, verify } from '../support/openssl.js';
import { policy } from './fixtures.js';

const ctx = nodePkiContext();

describe('CRL', () => {
  it('is signed by the CA and revokes exactly the listed serials', async () => {
    // Prepare
    const p = policy();
    const { ca, certificatePem: caPem } = await createCa(p.ca, ctx);
    const revoked = await issueForName(p, ca, { name: 'app' }, ctx);
    const kept = await issueForName(p, ca, { name: 'app' }, ctx);
    const s = scratch();

    // Act
    const crl = await buildCrl(ca, [revoked.serial, '1f'], ctx);

    // Assess
    try {
      const crlFile = s.file('crl.pem', crl.crlPem);
      const check = openssl(['crl', '-in', crlFile, '-noout', '-verify', '-CAfile', s.file('ca.pem', caPem)]);
      expect(check.stderr.trim()).toBe('verify OK');
      const text = openssl(['crl', '-in', crlFile, '-noout', '-text']).stdout;
      expect(text).toContain(`Serial Number: ${revoked.serial.toUpperCase()}`);
      expect(text).toContain('Serial Number: 1F');
      expect(text).not.toContain(kept.serial.toUpperCase());
      expect(text).toContain(`X509v3 CRL Number: \n                ${crl.number}`);
      const refused = verify(caPem, revoked.certificatePem, 'sslclient', ['-crl_check', '-CRLfile', crlFile]);
      expect(refused.code).toBe(2);
      expect(refused.stdout + refused.stderr).toContain('certificate revoked');
      expect(
        verify(caPem, kept.certificatePem, 'sslclient', ['-crl_check', '-CRLfile', crlFile]).stdout,
      ).toContain('OK');
    } finally {
      s.remove();
    }
  });

  it('is valid with no revoked serials, and refuses a serial that is not hex', async () => {
    // Prepare
    const { ca, certificatePem: caPem } = await createCa(policy().ca, ctx);
    const s = scratch();

    // Act
    const empty = await buildCrl(ca, [], ctx);
    const bad = buildCrl(ca, ['xyz'], ctx);

    // Assess
    try {
      const check = openssl([
        'crl',
        '-in',
        s.file('crl.pem', empty.crlPem),
        '-noout',
        '-verify',
        '-CAfile',
        s.file('ca.pem', caPem),
      ]);
      expect(check.stderr.trim()).toBe('verify OK');
      expect(empty.nextUpdate.getTime() - empty.thisUpdate.getTime()).toBe(7 * 86_400_000);
      await expect(bad).rejects.toThrow('revoked serial "xyz" is not lowercase hex of at most 20 bytes');
    } finally {
      s.remove();
    }
  });
});
