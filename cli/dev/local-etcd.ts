// The sandbox's etcd: one member on loopback with TLS from our CA and --client-cert-auth, its data
// kept between runs, its output in a log file, stopped by PID. Every wait is bounded.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { request } from 'node:https';
import { WardenError } from '../../shared/errors.js';

export interface LocalEtcdFiles {
  dataDir: string;
  logFile: string;
  caFile: string;
  /** The member's server+peer certificate and key. */
  certFile: string;
  keyFile: string;
}

export interface TlsClient {
  ca: string;
  cert: string;
  key: string;
}

export interface LocalEtcd {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

export async function startLocalEtcd(options: {
  name: string;
  clientPort: number;
  peerPort: number;
  files: LocalEtcdFiles;
  /** A client certificate to ask /health with (etcd demands one under --client-cert-auth). */
  probe: TlsClient;
}): Promise<LocalEtcd> {
  const { name, clientPort, peerPort, files } = options;
  const endpoint = `https://127.0.0.1:${clientPort}`;
  const peer = `https://127.0.0.1:${peerPort}`;
  const args = [
    `--name=${name}`,
    `--data-dir=${files.dataDir}`,
    `--listen-client-urls=${endpoint}`,
    `--advertise-client-urls=${endpoint}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=${name}=${peer}`,
    `--cert-file=${files.certFile}`,
    `--key-file=${files.keyFile}`,
    `--trusted-ca-file=${files.caFile}`,
    '--client-cert-auth',
    `--peer-cert-file=${files.certFile}`,
    `--peer-key-file=${files.keyFile}`,
    `--peer-trusted-ca-file=${files.caFile}`,
    '--peer-client-cert-auth',
    '--listen-metrics-urls=',
  ];
  const log = openSync(files.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn('etcd', args, { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const early = await Promise.race([
      exited.then((code) => `etcd exited with code ${code}; see ${files.logFile}`),
      spawnFailed.then((e) =>
        (e as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'etcd is not installed (Debian: apt-get install etcd-server etcd-client)'
          : `cannot start etcd: ${e.message}`,
      ),
      healthy(endpoint, options.probe).then((ok) => (ok ? 'ok' : undefined)),
    ]);
    if (early === 'ok') break;
    if (early) throw new WardenError('unavailable', early);
    await new Promise((r) => setTimeout(r, 200));
  }
  if (Date.now() >= deadline) {
    child.kill('SIGKILL');
    throw new WardenError(
      'unavailable',
      `etcd did not become healthy in ${START_TIMEOUT_MS / 1000} s; see ${files.logFile}`,
    );
  }

  return {
    endpoint,
    pid: child.pid as number,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
      if (!stopped) child.kill('SIGKILL');
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** GET /health over TLS with a client certificate; false on any failure within a second. */
function healthy(endpoint: string, client: TlsClient): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      `${endpoint}/health`,
      { ...client, servername: 'localhost', timeout: 1_000 },
      (res) => {
        let body = '';
        res.on('data', (chunk) => {
          body += chunk;
        });
        res.on('end', () => resolve(res.statusCode === 200 && body.includes('"health":"true"')));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}
