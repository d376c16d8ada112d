// One etcd started with flags the shared harness does not offer (--client-crl-file, flags rendered
// by the CLI): TLS with our certificates, --client-cert-auth, free loopback ports, stopped by PID,
// waits bounded.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

const START_TIMEOUT_MS = 20_000;

export interface EtcdFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface SingleEtcd {
  endpoint: string;
  log(): string;
  stop(): Promise<void>;
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** etcdctl (v3 API) at `endpoint` with these TLS files: exit code and stdout + stderr. */
export function etcdctl(endpoint: string, files: EtcdFiles, ...args: string[]) {
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

/** etcd with a member certificate and plain-HTTP peer URLs, healthy for `client` at the returned endpoint. */
export async function startEtcd(
  dir: string,
  server: EtcdFiles,
  client: EtcdFiles,
  extra: string[],
): Promise<SingleEtcd> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `https://127.0.0.1:${clientPort}`;
  return runEtcd(
    dir,
    [
      '--name=crl-1',
      `--listen-client-urls=${endpoint}`,
      `--advertise-client-urls=${endpoint}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=crl-1=http://127.0.0.1:${peerPort}`,
      `--cert-file=${server.certFile}`,
      `--key-file=${server.keyFile}`,
      `--trusted-ca-file=${server.caFile}`,
      '--client-cert-auth',
      ...extra,
    ],
    endpoint,
    client,
  );
}

/**
 * etcd with exactly `flags`, plus a data directory and zap logging to etcd.log, both in `dir`; returned once
 * `etcdctl endpoint health` with the `client` files succeeds at `endpoint`.
 */
export async function runEtcd(
  dir: string,
  flags: string[],
  endpoint: string,
  client: EtcdFiles,
): Promise<SingleEtcd> {
  const logFile = join(dir, 'etcd.log');
  const log = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    'etcd',
    [`--data-dir=${join(dir, 'data')}`, ...flags, '--logger=zap', '--log-outputs=stderr'],
    { stdio: ['ignore', log, log] },
  );
  closeSync(log);
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid as number, 'SIGTERM');
    if (
      (await Promise.race([exited.then(() => 'exited'), sleep(5_000).then(() => 'timeout')])) === 'timeout'
    ) {
      process.kill(child.pid as number, 'SIGKILL');
      await Promise.race([exited, sleep(5_000)]);
    }
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const health = spawnSync(
      'etcdctl',
      [
        `--endpoints=${endpoint}`,
        `--cacert=${client.caFile}`,
        `--cert=${client.certFile}`,
        `--key=${client.keyFile}`,
        '--command-timeout=1s',
        'endpoint',
        'health',
      ],
      { encoding: 'utf8', timeout: 5_000, env: { ...process.env, ETCDCTL_API: '3' } },
    );
    if (health.status === 0) return { endpoint, log: () => readFileSync(logFile, 'utf8'), stop };
    await sleep(100);
  }
  await stop();
  throw new Error(
    `etcd did not become healthy within ${START_TIMEOUT_MS} ms: ${readFileSync(logFile, 'utf8').split('\n').slice(-5).join('\n')}`,
  );
}
