// A real etcd (TLS, --client-cert-auth) as the judge: it starts with a member certificate from our
// CA (ECDSA P-256, RSA or Ed25519 key), accepts our client certificates, maps their CN to RBAC
// users once auth is on, refuses a certificate from another CA, and refuses a certificate our CRL
// revokes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCrl, createCa, issueForName, nodePkiContext } from '../../shared/pki/index.js';
import type { Policy } from '../../shared/policy/types.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { opensslCsr, opensslKey, scratch } from '../support/openssl.js';
import { type EtcdFiles, etcdctl, startEtcd } from './etcd-process.js';
import { caSpec, policy } from './fixtures.js';
import { opensslHandshake } from './verdicts.js';

const ctx = nodePkiContext();

interface EtcdLogEntry {
  msg?: string;
  error?: string;
}

const isRejection = (entry: EtcdLogEntry): boolean => entry.msg === 'rejected connection';

const LOG_WAIT_MS = 5_000;

/**
 * The entries of etcd's zap log written after its first `offset` characters that are `wanted`,
 * read again every 50 ms until there is one or LOG_WAIT_MS pass: etcd logs a rejected handshake
 * on its own schedule, which may be after the client gave up.
 */
async function logEntriesAfter(
  readLog: () => string,
  offset: number,
  wanted: (entry: EtcdLogEntry) => boolean,
): Promise<EtcdLogEntry[]> {
  const deadline = Date.now() + LOG_WAIT_MS;
  for (;;) {
    const written = readLog().slice(offset);
    // Complete lines only: the last one may be half written.
    const entries = written
      .slice(0, written.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as EtcdLogEntry)
      .filter(wanted);
    if (entries.length > 0 || Date.now() >= deadline) return entries;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a real etcd with auth enabled', () => {
  let cluster: EtcdCluster;
  let p: Policy;
  let work: ReturnType<typeof scratch>;
  const files = async (name: string, options: { csrKey?: string } = {}): Promise<EtcdFiles> => {
    const csr = options.csrKey ? opensslCsr(options.csrKey, `/CN=${name}`).toString() : undefined;
    const issued = await issueForName(p, cluster.ca, { name, csr, ttlSeconds: 3600 }, ctx);
    const certFile = work.file(`${name}-${issued.serial}.pem`, issued.certificatePem);
    const keyFile = work.file(
      `${name}-${issued.serial}-key.pem`,
      options.csrKey ?? (issued.privateKeyPem as string),
    );
    return { caFile: cluster.caFile, certFile, keyFile };
  };

  beforeAll(async () => {
    // Prepare: a cluster whose member certificate comes from our CA, then RBAC as Calico's guide does it
    cluster = await startEtcdCluster();
    work = scratch();
    p = policy();
    cluster.etcdctl('user', 'add', 'root', '--no-password');
    cluster.etcdctl('user', 'grant-role', 'root', 'root');
    cluster.etcdctl('role', 'add', 'app');
    cluster.etcdctl('role', 'grant-permission', 'app', 'readwrite', '/app/', '--prefix');
    cluster.etcdctl('user', 'add', 'app', '--no-password');
    cluster.etcdctl('user', 'grant-role', 'app', 'app');
    cluster.etcdctl('put', '/other/secret', 'x');
    cluster.etcdctl('auth', 'enable');
  });
  afterAll(async () => {
    await cluster?.stop();
    work?.remove();
  });

  it('lets a user’s client certificate reach its prefix and nothing else', async () => {
    // Prepare
    const app = await files('app');
    const endpoint = cluster.endpoints[0] as string;

    // Act
    const write = etcdctl(endpoint, app, 'put', '/app/config', 'v1');
    const read = etcdctl(endpoint, app, 'get', '/app/config', '--print-value-only');
    const outside = etcdctl(endpoint, app, 'get', '/other/secret');
    const outsideWrite = etcdctl(endpoint, app, 'put', '/other/secret', 'y');

    // Assess
    expect(write).toEqual({ code: 0, out: 'OK\n' });
    expect(read).toEqual({ code: 0, out: 'v1\n' });
    expect(outside.code).not.toBe(0);
    expect(outside.out).toContain('permission denied');
    expect(outsideWrite.out).toContain('permission denied');
    expect(cluster.etcdctl('get', '/other/secret', '--print-value-only')).toBe('x\n');
  });

  it('accepts CSR-issued certificates for RSA, ECDSA P-384 and Ed25519 keys', async () => {
    // Prepare
    const endpoint = cluster.endpoints[0] as string;
    const results: Record<string, { code: number | null; out: string }> = {};

    // Act
    for (const spec of ['rsa:2048', 'ec:P-384', 'ed25519'] as const) {
      results[spec] = etcdctl(
        endpoint,
        await files('app', { csrKey: opensslKey(spec) }),
        'put',
        `/app/${spec}`,
        'ok',
      );
    }

    // Assess
    expect(results).toEqual({
      'rsa:2048': { code: 0, out: 'OK\n' },
      'ec:P-384': { code: 0, out: 'OK\n' },
      ed25519: { code: 0, out: 'OK\n' },
    });
  });

  it('refuses a client certificate from another CA, even one named root', async () => {
    // Prepare
    const other = await createCa(caSpec('ecdsa-p256', { commonName: 'etcd-warden test CA' }), ctx);
    const forged = await issueForName(p, other.ca, { name: 'root', ttlSeconds: 3600 }, ctx);
    const forgedFiles = {
      caFile: cluster.caFile,
      certFile: work.file('forged.pem', forged.certificatePem),
      keyFile: work.file('forged-key.pem', forged.privateKeyPem as string),
    };
    const logBefore = cluster.logOf(0).length;

    // Act
    const run = etcdctl(cluster.endpoints[0] as string, forgedFiles, 'get', '/other/secret');
    const rejections = await logEntriesAfter(() => cluster.logOf(0), logBefore, isRejection);

    // Assess: etcdctl got nothing, and every connection etcd rejected since the attempt was refused
    // for this certificate: signed by a CA with the trusted CA's name but not by its key
    expect(run.code).not.toBe(0);
    expect(run.out).not.toContain('/other/secret');
    expect(rejections.length).toBeGreaterThan(0);
    for (const entry of rejections) {
      expect(entry.error).toBe(
        'tls: failed to verify client certificate: x509: certificate signed by unknown authority ' +
          '(possibly because of "x509: ECDSA verification failure" while trying to verify candidate ' +
          'authority certificate "etcd-warden test CA")',
      );
    }
  });
});

describe('a real etcd with a member key other than ECDSA P-256', () => {
  // Client TLS only: startEtcd runs one member with plain-HTTP peer URLs, so peer use of these
  // keys is not exercised here.
  it.each(['rsa:2048', 'ed25519'] as const)(
    'serves TLS with a %s member key from a CSR and accepts our client certificates',
    async (spec) => {
      // Prepare
      const work = scratch();
      const p = policy();
      const { ca, certificatePem: caPem } = await createCa(p.ca, ctx);
      const caFile = work.file('ca.pem', caPem);
      const memberKey = opensslKey(spec);
      const csr = opensslCsr(memberKey, '/CN=etcd-1').toString();
      const member = await issueForName(p, ca, { name: 'etcd-1', csr }, ctx);
      const client = await issueForName(p, ca, { name: 'app' }, ctx);
      const server = {
        caFile,
        certFile: work.file('etcd-1.pem', member.certificatePem),
        keyFile: work.file('etcd-1-key.pem', memberKey),
      };
      const app = {
        caFile,
        certFile: work.file('app.pem', client.certificatePem),
        keyFile: work.file('app-key.pem', client.privateKeyPem as string),
      };
      const etcd = await startEtcd(work.dir, server, app, []);

      try {
        // Act
        const handshake = opensslHandshake(Number(new URL(etcd.endpoint).port), 'localhost', app);
        const put = etcdctl(etcd.endpoint, app, 'put', '/app/k', 'v');

        // Assess
        expect(handshake).toEqual({ code: 0, peer: 'CN = etcd-1', verification: 'OK' });
        expect(put).toEqual({ code: 0, out: 'OK\n' });
      } finally {
        await etcd.stop();
        work.remove();
      }
    },
  );
});

describe('a real etcd with our CRL', () => {
  it('refuses a revoked client certificate and accepts the others', async () => {
    // Prepare: member certificate issued for the policy's member, a CRL revoking one client certificate
    const work = scratch();
    const p = policy();
    const { ca, certificatePem: caPem } = await createCa(p.ca, ctx);
    const caFile = work.file('ca.pem', caPem);
    const member = await issueForName(p, ca, { name: 'etcd-1' }, ctx);
    const server = {
      caFile,
      certFile: work.file('etcd-1.pem', member.certificatePem),
      keyFile: work.file('etcd-1-key.pem', member.privateKeyPem as string),
    };
    const issue = async (label: string) => {
      const c = await issueForName(p, ca, { name: 'app' }, ctx);
      return {
        serial: c.serial,
        files: {
          caFile,
          certFile: work.file(`${label}.pem`, c.certificatePem),
          keyFile: work.file(`${label}-key.pem`, c.privateKeyPem as string),
        },
      };
    };
    const kept = await issue('kept');
    const revoked = await issue('revoked');
    const crlFile = join(work.dir, 'crl.pem');
    writeFileSync(crlFile, (await buildCrl(ca, [revoked.serial], ctx)).crlPem);
    const etcd = await startEtcd(work.dir, server, kept.files, [`--client-crl-file=${crlFile}`]);

    try {
      // Act
      const allowed = etcdctl(etcd.endpoint, kept.files, 'put', '/k', 'v');
      const refused = etcdctl(etcd.endpoint, revoked.files, 'put', '/k', 'v');

      // Assess
      expect(allowed).toEqual({ code: 0, out: 'OK\n' });
      expect(refused.code).not.toBe(0);
      expect(etcd.log()).toContain(`"error":"transport: certificate serial ${revoked.serial} revoked"`);
      expect(etcd.log()).not.toContain(`certificate serial ${kept.serial} revoked`);
    } finally {
      await etcd.stop();
      work.remove();
    }
  });
});
