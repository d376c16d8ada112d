// Certificates signed per second in one process, by the PKI core (ECDSA P-256 CA):
//   - a client certificate for a key the caller already has (reused key, as a node renewing),
//   - a client certificate from a PEM CSR (parse + signature check + issue),
//   - a client certificate with a key generated here.
// Baselines, same run and same CA key: raw node:crypto `sign` over a TBS of the same size (the
// floor: one ECDSA signature), a straightforward pkijs build (pkijs.Certificate + WebCrypto sign),
// and one `openssl x509 -req` process per certificate.
import { spawnSync } from 'node:child_process';
import { createPrivateKey, sign, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  createCa,
  generateKey,
  issueWithNewKey,
  nodePkiContext,
  parseCsr,
  signCertificate,
} from '../shared/pki/index.js';

const ROUND_MS = 1_500;
const ROUNDS = 3;

/** Median certificates per second over ROUNDS rounds of ROUND_MS each (every loop bounded in time). */
async function rate(step: (i: number) => unknown | Promise<unknown>, roundMs = ROUND_MS): Promise<number> {
  for (let i = 0; i < 200; i++) await step(i); // warm-up
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    globalThis.gc?.();
    let n = 0;
    const start = performance.now();
    while (performance.now() - start < roundMs) {
      await step(n);
      n++;
    }
    rates.push(n / ((performance.now() - start) / 1000));
  }
  return [...rates].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] as number;
}

const ctx = nodePkiContext();
const made = await createCa(
  {
    commonName: 'bench CA',
    key: 'ecdsa-p256',
    validitySeconds: 86_400 * 365,
    maxTtlSeconds: 86_400,
    revoked: [],
  },
  ctx,
);
const { ca } = made;
const request = { profile: 'client' as const, ttlSeconds: 3_600, limitSeconds: 3_600, limitSource: 'bench' };

// Reused key: the caller's SPKI bytes, passed in raw each time (the core memoizes decoded keys).
const clientKey = await generateKey('ecdsa-p256');
const reused = await rate((i) =>
  signCertificate(ca, { ...request, commonName: `calico-node-${i}`, publicKey: clientKey.publicKey }, ctx),
);

// From a CSR made by openssl: parse, check key, verify the proof of possession, then issue.
const dir = mkdtempSync(join(tmpdir(), 'warden-bench-'));
const keyFile = join(dir, 'client-key.pem');
writeFileSync(keyFile, clientKey.privateKeyPem, { mode: 0o600 });
const csrPem = spawnSync('openssl', ['req', '-new', '-key', keyFile, '-subj', '/CN=calico-node'], {
  encoding: 'utf8',
}).stdout;
const fromCsr = await rate(() =>
  signCertificate(ca, { ...request, commonName: 'calico-node', publicKey: parseCsr(csrPem).publicKey }, ctx),
);

const newKey = await rate((i) => issueWithNewKey(ca, { ...request, commonName: `calico-node-${i}` }, ctx));

// Baseline 1: raw signatures with the same CA key over bytes the size of one TBSCertificate.
const caKey = createPrivateKey(made.privateKeyPem);
const sampleTbs = new Uint8Array(420).fill(7);
const rawSign = await rate(() => sign('sha256', sampleTbs, caKey));

// Baseline 2: a straightforward pkijs build, as the pkijs examples do it.
const caCryptoKey = await webcrypto.subtle.importKey(
  'pkcs8',
  createPrivateKey(made.privateKeyPem).export({ type: 'pkcs8', format: 'der' }),
  { name: 'ECDSA', namedCurve: 'P-256' },
  false,
  ['sign'],
);
const caCert = pkijs.Certificate.fromBER(
  Buffer.from(made.certificatePem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64'),
);
const spki = pkijs.PublicKeyInfo.fromBER(clientKey.publicKey);
const pkijsBuild = async (i: number) => {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({
    valueHex: webcrypto.getRandomValues(new Uint8Array(16)).map((b, j) => (j === 0 ? (b & 0x3f) | 0x40 : b)),
  });
  cert.issuer = caCert.subject;
  cert.subject.typesAndValues.push(
    new pkijs.AttributeTypeAndValue({
      type: '2.5.4.3',
      value: new asn1js.Utf8String({ value: `calico-node-${i}` }),
    }),
  );
  cert.notBefore.value = new Date(Date.now() - 300_000);
  cert.notAfter.value = new Date(Date.now() + 3_600_000);
  cert.subjectPublicKeyInfo = spki;
  cert.extensions = [
    new pkijs.Extension({
      extnID: '2.5.29.19',
      critical: true,
      extnValue: new pkijs.BasicConstraints({ cA: false }).toSchema().toBER(false),
    }),
    new pkijs.Extension({
      extnID: '2.5.29.37',
      extnValue: new pkijs.ExtKeyUsage({ keyPurposes: ['1.3.6.1.5.5.7.3.2'] }).toSchema().toBER(false),
    }),
  ];
  await cert.sign(caCryptoKey, 'SHA-256');
  return cert.toSchema(true).toBER(false);
};
const pkijsRate = await rate(pkijsBuild);

// Baseline 3: one openssl process per certificate.
writeFileSync(join(dir, 'ca.pem'), made.certificatePem);
writeFileSync(join(dir, 'ca-key.pem'), made.privateKeyPem, { mode: 0o600 });
writeFileSync(join(dir, 'client.csr'), csrPem);
writeFileSync(
  join(dir, 'ext.cnf'),
  'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n',
);
const opensslRate = await rate(() => {
  const run = spawnSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      join(dir, 'client.csr'),
      '-CA',
      join(dir, 'ca.pem'),
      '-CAkey',
      join(dir, 'ca-key.pem'),
      '-set_serial',
      `0x4${'1'.repeat(31)}`,
      '-days',
      '1',
      '-extfile',
      join(dir, 'ext.cnf'),
      '-out',
      join(dir, 'out.pem'),
    ],
    { timeout: 10_000 },
  );
  if (run.status !== 0) throw new Error(`openssl failed: ${run.stderr}`);
}, 1_000);
rmSync(dir, { recursive: true, force: true });

const row = (label: string, perSecond: number) =>
  `| ${label} | ${Math.round(perSecond).toLocaleString('en')} | ${(1e6 / perSecond).toFixed(1)} µs | ${(perSecond / rawSign).toFixed(2)}x | ${(perSecond / pkijsRate).toFixed(1)}x | ${(perSecond / opensslRate).toFixed(0)}x |`;

const signShare = (1e6 / rawSign / (1e6 / reused)) * 100;
console.log(
  [
    '## PKI: certificates signed per second',
    '',
    'One process, ECDSA P-256 CA, client certificates (clientAuth, CN, SKI/AKI, 126-bit random serial). Medians of',
    `${ROUNDS} rounds of ${ROUND_MS / 1000} s. Ratios are against baselines measured in the same run with the same CA key.`,
    '',
    '| case | certificates/s | per certificate | vs raw `crypto.sign` | vs straightforward pkijs | vs one `openssl` per cert |',
    '|---|---:|---:|---:|---:|---:|',
    row('**etcd-warden, reused client key**', reused),
    row('etcd-warden, from a PEM CSR (parse + verify + issue)', fromCsr),
    row('etcd-warden, new ECDSA P-256 key per certificate', newKey),
    row('baseline: raw `crypto.sign` only (no certificate)', rawSign),
    row('baseline: pkijs `Certificate` + WebCrypto `sign`', pkijsRate),
    row('baseline: `openssl x509 -req` process per certificate', opensslRate),
    '',
    `Target: at least 5,000/s for the reused-key case — measured ${Math.round(reused).toLocaleString('en')}/s (${reused >= 5_000 ? 'met' : 'NOT met'}).`,
    '',
    `What bounds it: the ECDSA signature itself is ${signShare.toFixed(0)}% of the time per certificate (raw signing runs at`,
    `${Math.round(rawSign).toLocaleString('en')}/s). The rest is DER assembly of the per-certificate parts (serial, validity, subject, key`,
    'identifiers; fixed extensions are encoded once per profile), a SHA-1 for the subject key identifier, the CSPRNG',
    'read for the serial and PEM encoding. The CSR case adds DER parsing and the signature check of the CSR (an ECDSA',
    'verify costs more than a sign); the new-key case adds key generation on the thread pool. The straightforward pkijs build',
    'pays for generic schema encoding plus an async WebCrypto round trip per certificate.',
  ].join('\n'),
);
