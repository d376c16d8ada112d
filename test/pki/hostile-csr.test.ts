// The hostile CSR corpus (issue 10): keys that need no private key, keys Node would abort on,
// explicit curves, broken fields, oversized echoes. Each case is made here (asn1js by hand,
// node:crypto, openssl) and refused with its own one-line message, in the core, by the built CLI
// (one stderr line, no stack, nothing written) and by `serve` over HTTP (400 JSON), which then
// goes on answering.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CertificateAuthority, createCa, issueForName, nodePkiContext } from '../../shared/pki/index.js';
import type { Policy } from '../../shared/policy/types.js';
import { runCli } from '../support/cli.js';
import {
  CSR_OIDS,
  csr,
  ecSpki,
  p256,
  pem,
  pkcs1Sha256,
  realModulus,
  rsaSpki,
  spki,
  subjectCn,
} from '../support/hostile-csr.js';
import { opensslBytes, opensslCsr, opensslKey, scratch } from '../support/openssl.js';
import { type ServeProcess, startServe } from '../support/serve.js';
import { signedFetch } from '../support/sigv4.js';
import { policy } from './fixtures.js';

const ctx = nodePkiContext();
let p: Policy;
let ca: CertificateAuthority;

const P256_GENERATOR = Buffer.from(
  '046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5',
  'hex',
);
const ED25519_IDENTITY = Buffer.concat([Buffer.from([1]), Buffer.alloc(31)]);
// A point of order 8 (libsodium's blocklist); for it and the identity anyone can make signatures.
const ED25519_ORDER_8 = Buffer.from(
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'hex',
);

const ecInfinity = (curve: string) => ecSpki(curve, Uint8Array.of(0));
const withKey = (key: Uint8Array, sign?: (info: Uint8Array) => Uint8Array) => csr({ spki: key, sign });

/** RSA with exponent 1: its "signature" is the encoded digest itself, no private key needed. */
function rsaExponentOne(exponent: Uint8Array): Uint8Array {
  return csr({
    spki: rsaSpki(realModulus(), exponent),
    signatureAlgorithm: CSR_OIDS.sha256WithRsa,
    sign: (info) => pkcs1Sha256(info, 256),
  });
}

/** Ed25519 identity key, R = identity, S = 0: a valid signature on any message (RFC 8032 §5.1.7). */
const ed25519Forged = () =>
  csr({
    spki: spki(CSR_OIDS.ed25519, undefined, ED25519_IDENTITY),
    signatureAlgorithm: CSR_OIDS.ed25519,
    sign: () => new Uint8Array(Buffer.concat([ED25519_IDENTITY, Buffer.alloc(32)])),
  });

const longOid = (): string => `1.2.${'9'.repeat(44_000)}`;

interface HostileCase {
  label: string;
  make: () => Uint8Array | string;
  message: string;
}

const CORPUS: HostileCase[] = [
  {
    label: 'an EC P-256 point at infinity (Node aborts reading its details)',
    make: () => withKey(ecInfinity(CSR_OIDS.p256)),
    message: "the CSR's key has a P-256 point that is the point at infinity",
  },
  {
    label: 'an EC P-384 point at infinity',
    make: () => withKey(ecInfinity(CSR_OIDS.p384)),
    message: "the CSR's key has a P-384 point that is the point at infinity",
  },
  {
    label: 'an EC point off the curve',
    make: () => {
      const off = Buffer.from(P256_GENERATOR);
      off[64] = (off[64] as number) ^ 1;
      return withKey(ecSpki(CSR_OIDS.p256, off));
    },
    message: "the CSR's key has a P-256 point that is not a point on P-256",
  },
  {
    label: 'an EC point of the wrong length',
    make: () => withKey(ecSpki(CSR_OIDS.p256, P256_GENERATOR.subarray(0, 40))),
    message: "the CSR's key has a P-256 point that is 40 bytes; an uncompressed P-256 point has 65",
  },
  {
    label: 'an EC key with explicit curve parameters (openssl -param_enc explicit)',
    make: () => {
      const params = opensslBytes([
        'ecparam',
        '-name',
        'prime256v1',
        '-param_enc',
        'explicit',
        '-genkey',
        '-noout',
      ]);
      return opensslCsr(params.toString('utf8'), '/CN=app');
    },
    message:
      "the CSR's key is an EC key with explicit curve parameters: only named curves (P-256, P-384, P-521) are accepted",
  },
  {
    label: 'RSA with public exponent 1, validly "signed" without a private key',
    make: () => rsaExponentOne(Uint8Array.of(1)),
    message: "the CSR's key is RSA with public exponent 1: it must be odd, at least 65537 and below 2^256",
  },
  {
    label: 'RSA with public exponent 3 (openssl)',
    make: () =>
      opensslCsr(
        opensslBytes([
          'genpkey',
          '-algorithm',
          'RSA',
          '-pkeyopt',
          'rsa_keygen_bits:2048',
          '-pkeyopt',
          'rsa_keygen_pubexp:3',
        ]).toString(),
        '/CN=app',
      ),
    message: "the CSR's key is RSA with public exponent 3: it must be odd, at least 65537 and below 2^256",
  },
  {
    label: 'RSA with an even public exponent',
    make: () => withKey(rsaSpki(realModulus(), Uint8Array.of(1, 0, 2))),
    message:
      "the CSR's key is RSA with public exponent 65538: it must be odd, at least 65537 and below 2^256",
  },
  {
    label: 'RSA with an even modulus',
    make: () => {
      const n = realModulus();
      n[n.length - 1] = (n[n.length - 1] as number) & 0xfe;
      return withKey(rsaSpki(n, Uint8Array.of(1, 0, 1)));
    },
    message: "the CSR's key is RSA with an even modulus, which no key pair has",
  },
  {
    label: 'RSA with a 4096-bit public exponent',
    make: () => withKey(rsaSpki(realModulus(), Uint8Array.from([0x7f, ...Buffer.alloc(511, 0xff)]))),
    message:
      "the CSR's key is RSA with public exponent of 4095 bits: it must be odd, at least 65537 and below 2^256",
  },
  {
    label: 'the Ed25519 identity point, with a signature anyone can make',
    make: ed25519Forged,
    message: "the CSR's key is a small-order point, for which anyone can make signatures",
  },
  {
    label: 'an Ed25519 key not canonically encoded (y >= p)',
    make: () => withKey(spki(CSR_OIDS.ed25519, undefined, Buffer.from(`${'ed'.padEnd(62, 'f')}7f`, 'hex'))),
    message: "the CSR's key is not canonically encoded (y is not below p)",
  },
  {
    label: 'an Ed25519 key encoding x = 0 as negative',
    make: () =>
      withKey(
        spki(
          CSR_OIDS.ed25519,
          undefined,
          Buffer.concat([Buffer.from([1]), Buffer.alloc(30), Buffer.from([0x80])]),
        ),
      ),
    message: "the CSR's key is not canonically encoded (negative zero)",
  },
  {
    label: 'an Ed448 key (openssl)',
    make: () => opensslCsr(opensslBytes(['genpkey', '-algorithm', 'ed448']).toString(), '/CN=app'),
    message:
      "the CSR's key is Ed448: only RSA (2048–8192 bits), ECDSA P-256/P-384/P-521 and Ed25519 are accepted",
  },
  {
    label: 'an X25519 key, which cannot sign',
    make: () => withKey(spki('1.3.101.110', undefined, Buffer.alloc(32, 9))),
    message: "the CSR's key is X25519 (a key-agreement key): only",
  },
  {
    label: 'version 2',
    make: () => csr({ ...p256(), version: 2 }),
    message: "the CSR's version is 2; PKCS#10 knows only 0 (v1)",
  },
  {
    label: 'no attributes field',
    make: () => csr({ ...p256(), attributes: null }),
    message: 'the CSR has no attributes field (PKCS#10 requires one, even if empty)',
  },
  {
    label: 'attributes under the wrong tag',
    make: () => csr({ ...p256(), attributes: new asn1js.Set({ value: [] }) }),
    message: "the CSR's attributes field is not tagged [0]",
  },
  {
    label: 'attributes that are not Attribute structures',
    make: () =>
      csr({
        ...p256(),
        attributes: new asn1js.Constructed({
          idBlock: { tagClass: 3, tagNumber: 0 },
          value: [new asn1js.Integer({ value: 7 })],
        }),
      }),
    message: "the CSR's attributes are not a SET OF Attribute (type and SET of values)",
  },
  {
    label: 'a field after the attributes',
    make: () => csr({ ...p256(), extraInfoField: new asn1js.Null() }),
    message: "the CSR's request info has fields after its attributes",
  },
  {
    label: 'a signature with unused bits',
    make: () => csr({ ...p256(), unusedBits: 3 }),
    message: "the CSR's signature has 3 unused bits; it must be whole bytes",
  },
  {
    label: 'a common name that is an INTEGER',
    make: () => {
      const key = p256();
      return csr({ ...key, subject: subjectCn(new asn1js.Integer({ value: 42 })) });
    },
    message: "the CSR's common name is not a UTF-8, printable, IA5 or BMP string",
  },
  {
    label: 'a subject attribute with no value',
    make: () =>
      csr({
        ...p256(),
        subject: new asn1js.Sequence({
          value: [
            new asn1js.Set({
              value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '2.5.4.3' })] })],
            }),
          ],
        }),
      }),
    message: 'a CSR subject attribute is not one type and one value',
  },
  {
    label: 'a 40 KB common name (echoed as a short prefix)',
    make: () => {
      const key = p256();
      return csr({ ...key, subject: subjectCn(new asn1js.Utf8String({ value: 'a'.repeat(40_000) })) });
    },
    message: `the CSR's common name "${'a'.repeat(45)}…" does not match the requested name "app"`,
  },
  {
    label: 'a 44 KB OID arc as the signature algorithm (echoed as a short prefix)',
    make: () => csr({ ...p256(), signatureAlgorithm: longOid() }),
    // asn1js writes an arc too large for a number in hex, between braces.
    message: 'the CSR is signed with algorithm 1.2.{',
  },
  {
    label: 'ASN.1 nested past asn1js depth',
    make: () => new Uint8Array(Buffer.concat(Array.from({ length: 1_000 }, () => Buffer.from([0x30, 0x80])))),
    message: 'the CSR nests ASN.1 values too deeply',
  },
  {
    label: 'twenty thousand NULL values in one SEQUENCE',
    make: () => {
      const nulls = Buffer.concat(Array.from({ length: 20_000 }, () => Buffer.from([0x05, 0x00])));
      return new Uint8Array(
        Buffer.concat([Buffer.from([0x30, 0x82, nulls.length >> 8, nulls.length & 0xff]), nulls]),
      );
    },
    message: 'the CSR holds too many ASN.1 values',
  },
];

beforeAll(async () => {
  p = policy();
  ca = (await createCa(p.ca, ctx)).ca;
});

describe('the hostile CSR corpus, in the core', () => {
  it.each(CORPUS)('refuses $label', async ({ make, message }) => {
    // Prepare
    const request = make();
    // Act
    const result = issueForName(p, ca, { name: 'app', csr: request }, ctx);
    // Assess
    await expect(result).rejects.toMatchObject({ name: 'WardenError', code: 'invalid-input' });
    await expect(result).rejects.toThrow(message);
    await expect(result).rejects.toSatisfy(
      (error: Error) => error.message.length < 200 && !error.message.includes('\n'),
    );
  });

  it('gives every case its own message, one short line each', () => {
    // Assess
    expect(new Set(CORPUS.map((c) => c.message)).size).toBe(CORPUS.length);
    for (const c of CORPUS) expect(c.message.length).toBeLessThan(200);
  });

  const messageOf = (label: string): string =>
    (CORPUS.find((c) => c.label.startsWith(label)) as HostileCase).message;

  it.each([
    [
      'RSA exponent 1 written non-minimally (00 00 01)',
      () => rsaExponentOne(Uint8Array.of(0, 0, 1)),
      'RSA with public exponent 1',
    ],
    [
      'an Ed25519 point of order 8',
      () => withKey(spki(CSR_OIDS.ed25519, undefined, ED25519_ORDER_8)),
      'the Ed25519 identity',
    ],
  ] as const)('refuses %s as its case does', async (_label, make, sameAs) => {
    // Act
    const result = issueForName(p, ca, { name: 'app', csr: make() }, ctx);
    // Assess
    await expect(result).rejects.toThrow(messageOf(sameAs));
  });

  it('reads a PEM behind a BOM and text, and a request that is the second PEM block', async () => {
    // Prepare
    const request = pem(csr(p256()));
    const behindBom = new Uint8Array(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`note\n${request}`)]),
    );
    const second = `${pem(Buffer.from('not a certificate'), 'CERTIFICATE')}${request}`;
    // Act
    const fromBytes = await issueForName(p, ca, { name: 'app', csr: behindBom }, ctx);
    const fromText = await issueForName(p, ca, { name: 'app', csr: second }, ctx);
    // Assess
    expect(fromBytes.certificatePem).toContain('BEGIN CERTIFICATE');
    expect(fromText.certificatePem).toContain('BEGIN CERTIFICATE');
  });
});

const POLICY = `version: 1
roles:
  app:
    - { prefix: /app/, access: readwrite }
users:
  root: { roles: [root] }
  app:
    roles: [app]
    certificate:
      ttl: 24h
      requesters: ["arn:aws:sts::123456789012:assumed-role/app-runner/*"]
`;
const REQUESTER = { accessKeyId: 'AKIAHOSTILECORPUS01', secretAccessKey: 'hostile-corpus-secret-0123' };

describe('the hostile CSR corpus, through the fronts', () => {
  let work: ReturnType<typeof scratch>;
  let serve: ServeProcess;
  const files: string[] = [];

  beforeAll(async () => {
    work = scratch();
    work.file('etcd-warden.yaml', POLICY);
    work.file(
      'credentials.json',
      JSON.stringify({
        [REQUESTER.accessKeyId]: {
          secretAccessKey: REQUESTER.secretAccessKey,
          principal: 'arn:aws:sts::123456789012:assumed-role/app-runner/ci',
        },
      }),
    );
    expect(runCli(['ca', 'init'], { cwd: work.dir }).code).toBe(0);
    CORPUS.forEach((c, i) => {
      const made = c.make();
      const file = join(work.dir, `hostile-${i}.csr`);
      writeFileSync(file, made);
      files.push(file);
    });
    serve = await startServe(['--policy', 'etcd-warden.yaml', '--credentials', 'credentials.json'], work.dir);
  }, 60_000);

  afterAll(async () => {
    await serve?.stop();
    work?.remove();
  });

  it.each(CORPUS.map((c, i) => [c.label, i] as const))('the CLI refuses %s in one line', (_label, i) => {
    // Act
    const run = runCli(['cert', 'issue', 'app', '--csr', files[i] as string, '--out', `out-${i}`], {
      cwd: work.dir,
    });
    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr.startsWith(`etcd-warden: ${(CORPUS[i] as HostileCase).message}`)).toBe(true);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at |Error:/);
    expect(existsSync(join(work.dir, `out-${i}`, 'app.pem'))).toBe(false);
  });

  it('serve answers each with a 400 JSON error and keeps serving', async () => {
    // Act
    const answers: { status: number; body: unknown }[] = [];
    for (const file of files) {
      const bytes = readFileSync(file);
      const text = bytes[0] === 0x30 ? pem(bytes) : bytes.toString('latin1');
      const response = await signedFetch(
        `${serve.url}/certificates`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user: 'app', csr: text }),
        },
        REQUESTER,
      );
      answers.push({ status: response.status, body: await response.json() });
    }
    const next = await signedFetch(
      `${serve.url}/certificates`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'app', csr: opensslCsr(opensslKey('ec:P-256'), '/CN=app').toString() }),
      },
      REQUESTER,
    );

    // Assess
    answers.forEach((answer, i) => {
      expect(answer.status, CORPUS[i]?.label).toBe(400);
      expect(answer.body).toEqual({
        error: {
          code: 'invalid-input',
          message: expect.stringContaining((CORPUS[i] as HostileCase).message),
        },
      });
    });
    expect(next.status).toBe(201);
    expect(serve.child.exitCode).toBeNull();
    expect(serve.stderr()).not.toMatch(/\n\s+at |Assertion failed/);
  });
});
