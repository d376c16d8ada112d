// The built CLI end to end, as an operator deploys a member whose hosts are DNS names only:
// `ca init`, `cert issue`, `ca crl`, then `render --format etcd-flags`, and a real etcd started
// with exactly those flags. The only changes the test makes to them: free ports instead of
// 2379/2380, and 127.0.0.1 instead of 0.0.0.0 so the test etcd is not reachable from other hosts.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { scratch } from '../support/openssl.js';
import { type EtcdFiles, etcdctl, freePort, runEtcd, type SingleEtcd } from './etcd-process.js';
import { opensslHandshake } from './verdicts.js';

const policyYaml = (revoked: string[]): string => `version: 1
auth: enabled
ca:
  commonName: flags test CA
  key: ecdsa-p256
  validity: 8760h
  revoked: ${JSON.stringify(revoked)}
roles:
  app:
    - { prefix: /app/, access: readwrite }
users:
  root:
    roles: [root]
  app:
    roles: [app]
    certificate:
      ttl: 24h
members:
  etcd-dns:
    hosts: [localhost, etcd-dns.example.internal]
    ttl: 720h
`;

let work: ReturnType<typeof scratch>;
const cli = (...args: string[]) => {
  const run = runCli(args, { cwd: work.dir });
  if (run.code !== 0) throw new Error(`etcd-warden ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
};
const clientFiles = (dir: string): EtcdFiles => ({
  caFile: join(work.dir, dir, 'ca.pem'),
  certFile: join(work.dir, dir, 'app.pem'),
  keyFile: join(work.dir, dir, 'app-key.pem'),
});
const renderFlags = (): string[] =>
  cli('render', 'etcd-dns', '--format', 'etcd-flags', '--dir', 'pki').trim().split('\n');
let revokedSerial: string;

beforeAll(() => {
  // Prepare: a CA, the member's files, two client certificates of which the CRL revokes one
  work = scratch();
  work.file('etcd-warden.yaml', policyYaml([]));
  cli('ca', 'init');
  cli('cert', 'issue', 'etcd-dns', '--out', 'pki');
  cli('cert', 'issue', 'app', '--out', 'kept');
  const issued = cli('cert', 'issue', 'app', '--out', 'revoked');
  const serial = /serial ([0-9a-f]{32})/.exec(issued)?.[1];
  if (!serial) throw new Error(`no serial in the output of cert issue: ${issued}`);
  revokedSerial = serial;
  work.file('etcd-warden.yaml', policyYaml([revokedSerial]));
  cli('ca', 'crl', '--out', 'pki/crl.pem');
});
afterAll(() => work?.remove());

describe('render --format etcd-flags for a member with DNS names only', () => {
  it('listens on all interfaces over https and checks clients against the CRL next to its files', () => {
    // Prepare
    const pki = join(work.dir, 'pki');

    // Act
    const flags = renderFlags();

    // Assess
    expect(flags).toEqual([
      '--name=etcd-dns',
      `--cert-file=${pki}/etcd-dns.pem`,
      `--key-file=${pki}/etcd-dns-key.pem`,
      `--trusted-ca-file=${pki}/ca.pem`,
      '--client-cert-auth=true',
      `--client-crl-file=${pki}/crl.pem`,
      `--peer-cert-file=${pki}/etcd-dns.pem`,
      `--peer-key-file=${pki}/etcd-dns-key.pem`,
      `--peer-trusted-ca-file=${pki}/ca.pem`,
      '--peer-client-cert-auth=true',
      '--advertise-client-urls=https://localhost:2379',
      '--initial-advertise-peer-urls=https://localhost:2380',
      '--listen-client-urls=https://0.0.0.0:2379',
      '--listen-peer-urls=https://0.0.0.0:2380',
    ]);
  });

  describe('given to a real etcd', () => {
    let etcd: SingleEtcd;
    let clientPort: number;
    let peerPort: number;

    beforeAll(async () => {
      // Prepare: the rendered flags on free loopback ports, plus what a new one-member cluster needs
      clientPort = await freePort();
      peerPort = await freePort();
      const onTestPorts = (flag: string): string =>
        flag
          .replace('https://0.0.0.0:', 'https://127.0.0.1:')
          .replace(/:2379$/, `:${clientPort}`)
          .replace(/:2380$/, `:${peerPort}`);
      etcd = await runEtcd(
        work.dir,
        [...renderFlags().map(onTestPorts), `--initial-cluster=etcd-dns=https://localhost:${peerPort}`],
        `https://localhost:${clientPort}`,
        clientFiles('kept'),
      );
    });
    afterAll(() => etcd?.stop());

    it('serves TLS with the member certificate on the client and the peer port', () => {
      // Act
      const handshakes = [clientPort, peerPort].map((port) =>
        opensslHandshake(port, 'localhost', clientFiles('kept')),
      );

      // Assess
      for (const handshake of handshakes) {
        expect(handshake).toEqual({ code: 0, peer: 'CN = etcd-dns', verification: 'OK' });
      }
    });

    it('refuses the client certificate the CLI’s CRL revokes and serves the other', () => {
      // Act
      const kept = etcdctl(etcd.endpoint, clientFiles('kept'), 'put', '/app/k', 'v');
      const revoked = etcdctl(etcd.endpoint, clientFiles('revoked'), 'put', '/app/k', 'v');

      // Assess
      expect(kept).toEqual({ code: 0, out: 'OK\n' });
      expect(revoked.code).not.toBe(0);
      expect(etcd.log()).toContain(`"error":"transport: certificate serial ${revokedSerial} revoked"`);
    });
  });
});
