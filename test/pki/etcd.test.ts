// A real etcd (TLS, --client-cert-auth) as the judge: it starts with a member certificate from our
// CA, accepts our client certificates, maps their CN to RBAC users once auth is on, refuses a
// certificate from another CA, and refuses a certificate our CRL revokes.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCrl, createCa, issueForName, nodePkiContext } from '../../shared/pki/index.js';
import type { Policy } from '../../shared/policy/types.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { opensslCsr, opensslKey, scratch } from '../support/openssl.js';
import { startEtcd } from './etcd-process.js';
import { caSpec, policy } from './fixtures.js';

const ctx = nodePkiContext();

interface Files {
  caFile: string;
  certFile: string;
  keyFile: string;
}

function etcdctl(endpoint: string, files: Files, ...args: string[]) {
  const run = spawnSync(
    'etcdctl',
    [
      `--endpoints=${endpoint}`,
      `--cacert=${files.caFile}`,
      `--cert=${files.certFile}`,
      `--key=${files.keyFile}`,
      '--command-timeout=3s',
      '--dial-timeout=2s',
      ...args,
    ],
    { encoding: 'utf8', timeout: 15_000, env: { ...process.env, ETCDCTL_API: '3' } },
  );
  return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

describe('a real etcd with auth enabled', () => {
  let cluster: EtcdCluster;
  let p: Policy;
  let work: ReturnType<typeof scratch>;
  const files = async (name: string, options: { csrKey?: string } = {}): Promise<Files> => {
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

    // Act
    const run = etcdctl(cluster.endpoints[0] as string, forgedFiles, 'get', '/other/secret');

    // Assess
    expect(run.code).not.toBe(0);
    expect(run.out).not.toContain('/other/secret');
    expect(cluster.logOf(0)).toMatch(/rejected connection.*unknown authority|bad certificate/);
  });
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
