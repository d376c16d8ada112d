// Connection failures in plain words: a TLS handshake with the command's own files, against a real
// etcd (client-cert-auth on) and loopback stand-ins, names what refused what.
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseEndpoint, diagnoseEndpoints, type TlsFiles } from '../../shared/etcd/diagnose.js';
import { createCa, issueClientCertificate, nodePkiContext } from '../../shared/pki/index.js';
import { caSpec } from '../pki/fixtures.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { wardenAsync } from './cli-env.js';

const TIMEOUT_MS = 3_000;

let cluster: EtcdCluster;
let good: TlsFiles;
let plainHttp: Server;
let silent: TcpServer;
const portOf = (server: Server | TcpServer) => (server.address() as { port: number }).port;
const listen = (server: Server | TcpServer) =>
  new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));

beforeAll(async () => {
  cluster = await startEtcdCluster();
  good = {
    caPem: cluster.caPem,
    certPem: readFileSync(cluster.root.cert, 'utf8'),
    keyPem: readFileSync(cluster.root.key, 'utf8'),
  };
  plainHttp = createHttpServer((_, res) => res.end('hello'));
  silent = createTcpServer(() => {}); // accepts, never answers
  await Promise.all([listen(plainHttp), listen(silent)]);
}, 60_000);

afterAll(async () => {
  plainHttp?.close();
  silent?.close();
  await cluster?.stop();
});

describe('diagnoseEndpoint', () => {
  it('finds nothing wrong with the right files', async () => {
    // Act + Assess
    expect(await diagnoseEndpoint(cluster.endpoints[0] as string, good, TIMEOUT_MS)).toBeUndefined();
  });

  it('a plain-HTTP port: not TLS', async () => {
    // Act
    const cause = await diagnoseEndpoint(`https://127.0.0.1:${portOf(plainHttp)}`, good, TIMEOUT_MS);
    // Assess
    expect(cause).toBe('it does not speak TLS (a plain-HTTP port?)');
  });

  it('a --cacert that did not sign the server certificate', async () => {
    // Prepare
    const other = await createCa(caSpec(), nodePkiContext());
    // Act
    const cause = await diagnoseEndpoint(
      cluster.endpoints[0] as string,
      { ...good, caPem: other.certificatePem },
      TIMEOUT_MS,
    );
    // Assess
    expect(cause).toBe('its server certificate is not signed by --cacert');
  });

  it('an expired client certificate: refused by etcd', async () => {
    // Prepare: valid for one second, by the cluster's own CA, and then past it
    const expired = await issueClientCertificate(cluster.ca, 'root', nodePkiContext(), 1);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    // Act
    const cause = await diagnoseEndpoint(
      cluster.endpoints[0] as string,
      { ...good, certPem: expired.certificatePem, keyPem: expired.privateKeyPem },
      TIMEOUT_MS,
    );
    // Assess
    expect(cause).toMatch(/^it refused the client certificate: it expired at \d{4}-\d\d-\d\dT/);
  });

  it('a client certificate from another CA: refused by etcd', async () => {
    // Prepare
    const ctx = nodePkiContext();
    const other = await createCa(caSpec(), ctx);
    const foreign = await issueClientCertificate(other.ca, 'root', ctx);
    // Act
    const cause = await diagnoseEndpoint(
      cluster.endpoints[0] as string,
      { ...good, certPem: foreign.certificatePem, keyPem: foreign.privateKeyPem },
      TIMEOUT_MS,
    );
    // Assess
    expect(cause).toBe(
      'it refused the client certificate (signed by another CA, revoked, or not for client use)',
    );
  });

  it('a closed port, and one that never answers', async () => {
    // Prepare: a port that was free a moment ago
    const closed = createTcpServer();
    await listen(closed);
    const port = portOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    // Act
    const refused = await diagnoseEndpoint(`https://127.0.0.1:${port}`, good, TIMEOUT_MS);
    const timedOut = await diagnoseEndpoint(`https://127.0.0.1:${portOf(silent)}`, good, 500);
    // Assess
    expect(refused).toBe('nothing listens there (connection refused)');
    expect(timedOut).toBe('no answer within 500 ms');
  });
});

describe('diagnoseEndpoints', () => {
  it('names every endpoint when none connects, and nothing when one does', async () => {
    // Prepare
    const http = `https://127.0.0.1:${portOf(plainHttp)}`;
    // Act
    const none = await diagnoseEndpoints([http, http], good, TIMEOUT_MS);
    const one = await diagnoseEndpoints([http, cluster.endpoints[0] as string], good, TIMEOUT_MS);
    // Assess
    expect(none).toBe(
      `${http}: it does not speak TLS (a plain-HTTP port?); ${http}: it does not speak TLS (a plain-HTTP port?)`,
    );
    expect(one).toBeUndefined();
  });
});

describe('the CLI says why it cannot connect', () => {
  // Beside this process: the plain-HTTP stand-in lives in it and must keep answering.
  const plan = (extra: string[], env: NodeJS.ProcessEnv = {}) =>
    wardenAsync(
      cluster,
      ['plan', 'examples/calico-kubernetes-simple.yaml', '--command-timeout', '1s', ...extra],
      env,
    );

  it('a plain-HTTP port, a wrong --cacert, an expired client certificate: one line each, naming the endpoint', async () => {
    // Prepare
    const http = `https://127.0.0.1:${portOf(plainHttp)}`;
    const other = await createCa(caSpec(), nodePkiContext());
    const wrongCa = join(cluster.dir, 'other-ca.pem');
    writeFileSync(wrongCa, other.certificatePem);
    const expired = await issueClientCertificate(cluster.ca, 'root', nodePkiContext(), 1);
    writeFileSync(join(cluster.dir, 'expired.pem'), expired.certificatePem);
    writeFileSync(join(cluster.dir, 'expired-key.pem'), expired.privateKeyPem, { mode: 0o600 });
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const endpoint = cluster.endpoints[0] as string;
    // Act
    const runs = await Promise.all([
      plan(['--endpoints', http]),
      plan(['--endpoints', endpoint, '--cacert', wrongCa]),
      plan([
        '--endpoints',
        endpoint,
        '--cert',
        join(cluster.dir, 'expired.pem'),
        '--key',
        join(cluster.dir, 'expired-key.pem'),
      ]),
    ]);
    // Assess
    expect(runs.map((r) => r.code)).toEqual([1, 1, 1]);
    expect(runs[0]?.stderr).toBe(
      `etcd-warden: cannot connect to etcd: ${http}: it does not speak TLS (a plain-HTTP port?)\n`,
    );
    expect(runs[1]?.stderr).toBe(
      `etcd-warden: cannot connect to etcd: ${endpoint}: its server certificate is not signed by --cacert\n`,
    );
    expect(runs[2]?.stderr).toMatch(
      new RegExp(
        `^etcd-warden: cannot connect to etcd: ${endpoint.replace(/[.]/g, '\\.')}: it refused the client certificate: it expired at \\S+\\n$`,
      ),
    );
  }, 60_000);
});
