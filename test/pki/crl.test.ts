// The CRL from the policy's revoked serials, for each kind of CA key, judged by openssl (signature,
// and revocation in chain verification). etcd reading it is covered in etcd.test.ts (buildCrl) and
// etcd-flags.test.ts (the file `ca crl` writes).
import { describe, expect, it } from 'vitest';
import { buildCrl, createCa, issueForName, nodePkiContext } from '../../shared/pki/index.js';
import type { KeyAlgorithm } from '../../shared/policy/types.js';
import { openssl, scratch, verify } from '../support/openssl.js';
import { caSpec, policy } from './fixtures.js';
import { VERIFIED, verifyVerdict } from './verdicts.js';

const ctx = nodePkiContext();
const SIGNATURE: [KeyAlgorithm, string][] = [
  ['ecdsa-p256', 'ecdsa-with-SHA256'],
  ['ecdsa-p384', 'ecdsa-with-SHA384'],
  ['rsa-2048', 'sha256WithRSAEncryption'],
  ['rsa-3072', 'sha256WithRSAEncryption'],
];

/** `openssl crl -verify` of a CRL file against a CA file: exit code and the verdict it printed. */
const crlVerdict = (crlFile: string, caFile: string) => {
  const run = openssl(['crl', '-in', crlFile, '-noout', '-verify', '-CAfile', caFile]);
  return { code: run.code, output: `${run.stdout}${run.stderr}`.trim() };
};
const CRL_VERIFIED = { code: 0, output: 'verify OK' };

describe.each(SIGNATURE)('the CRL of a %s CA', (key, signatureAlgorithm) => {
  it('is signed by the CA and revokes exactly the listed serials', async () => {
    // Prepare
    const p = policy(caSpec(key));
    const { ca, certificatePem: caPem } = await createCa(p.ca, ctx);
    const revoked = await issueForName(p, ca, { name: 'app' }, ctx);
    const kept = await issueForName(p, ca, { name: 'app' }, ctx);
    const s = scratch();

    // Act
    const crl = await buildCrl(ca, [revoked.serial, '1f'], ctx);

    // Assess
    try {
      const crlFile = s.file('crl.pem', crl.crlPem);
      expect(crlVerdict(crlFile, s.file('ca.pem', caPem))).toEqual(CRL_VERIFIED);
      const text = openssl(['crl', '-in', crlFile, '-noout', '-text']).stdout;
      expect(text).toContain(`Signature Algorithm: ${signatureAlgorithm}`);
      expect(text).toContain(`Serial Number: ${revoked.serial.toUpperCase()}`);
      expect(text).toContain('Serial Number: 1F');
      expect(text).not.toContain(kept.serial.toUpperCase());
      expect(text).toContain(`X509v3 CRL Number: \n                ${crl.number}`);
      const refused = verify(caPem, revoked.certificatePem, 'sslclient', ['-crl_check', '-CRLfile', crlFile]);
      expect(refused.code).toBe(2);
      expect(refused.stdout + refused.stderr).toContain('certificate revoked');
      expect(
        verifyVerdict(caPem, kept.certificatePem, 'sslclient', ['-crl_check', '-CRLfile', crlFile]),
      ).toEqual(VERIFIED);
    } finally {
      s.remove();
    }
  });
});

describe('CRL', () => {
  it('is refused by openssl against another CA with the same name', async () => {
    // Prepare: two CAs with one name, so only the signature tells them apart
    const spec = caSpec('ecdsa-p256');
    const { ca } = await createCa(spec, ctx);
    const { certificatePem: otherPem } = await createCa(spec, ctx);
    const s = scratch();

    // Act
    const crl = await buildCrl(ca, [], ctx);

    // Assess
    try {
      const verdict = crlVerdict(s.file('crl.pem', crl.crlPem), s.file('other.pem', otherPem));
      // OpenSSL 3.0 exits 0 after "verify failure" here: the printed verdict is what counts.
      expect(verdict.output).toBe('verify failure');
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
      expect(crlVerdict(s.file('crl.pem', empty.crlPem), s.file('ca.pem', caPem))).toEqual(CRL_VERIFIED);
      expect(empty.nextUpdate.getTime() - empty.thisUpdate.getTime()).toBe(7 * 86_400_000);
      await expect(bad).rejects.toThrow('revoked serial "xyz" is not lowercase hex of at most 20 bytes');
    } finally {
      s.remove();
    }
  });
});
