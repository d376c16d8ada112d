// Real etcd for integration tests: one member or three with peer TLS, certificates from our own
// CA, --client-cert-auth, free loopback ports, every process stopped by PID and every wait
// bounded. Auth starts off, as on a fresh cluster; the applier bootstraps it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import {
  type CertificateAuthority,
  createCa,
  issueClientCertificate,
  issueMemberCertificate,
  nodePkiContext,
} from '../../shared/pki/index.js';

const START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;

/** `etcd` from PATH (Debian's etcd-server installs it in /usr/bin). */
export function findEtcd(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'etcd');
    if (spawnSync(candidate, ['--version'], { timeout: 5_000 }).status === 0) return candidate;
  }
  throw new Error('etcd not found on PATH: install etcd-server');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface ClientFiles {
  cert: string;
  key: string;
}

interface MemberSpec {
  name: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
  logFile: string;
}

export interface EtcdCluster {
  /** Scratch directory holding data dirs, logs and PEM files; removed by `stop`. */
  dir: string;
  endpoints: string[];
  ca: CertificateAuthority;
  caPem: string;
  caKeyPem: string;
  caFile: string;
  /** Client certificate with CN=root. */
  root: ClientFiles;
  /** Writes a client certificate for `user` (CN = user) and returns its files. */
  clientFiles(user: string): Promise<ClientFiles>;
  /** etcdctl connection flags as the root user. */
  etcdctlArgs(): string[];
  /** Runs etcdctl as root; throws on failure. */
  etcdctl(...args: string[]): string;
  memberNames(): string[];
  /** SIGTERM (the default) is a clean stop; SIGKILL is a crash, and takes no time at all. */
  stopMember(index: number, signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  startMember(index: number): Promise<void>;
  logOf(index: number): string;
  stop(): Promise<void>;
}

export interface EtcdClusterOptions {
  members?: number;
  /** Also serve etcd's v2 API (`--enable-v2`), as Calico's v2 setup needs. */
  enableV2?: boolean;
}

export async function startEtcdCluster(options: EtcdClusterOptions = {}): Promise<EtcdCluster> {
  const count = options.members ?? 1;
  const etcd = findEtcd();
  const dir = mkdtempSync(join(tmpdir(), 'warden-etcd-'));
  const ctx = nodePkiContext();
  const created = await createCa(
    {
      commonName: 'etcd-warden test CA',
      key: 'ecdsa-p256',
      // Longer than the one-day certificates issued from it at any time during a run.
      validitySeconds: 7 * 86_400,
      maxTtlSeconds: 7 * 86_400,
      revoked: [],
    },
    ctx,
  );
  const write = (name: string, content: string): string => {
    const path = join(dir, name);
    writeFileSync(path, content, { mode: 0o600 });
    return path;
  };
  const caFile = write('ca.pem', created.certificatePem);
  const clientFiles = async (user: string): Promise<ClientFiles> => {
    const issued = await issueClientCertificate(created.ca, user, ctx);
    return {
      cert: write(`${user}.pem`, issued.certificatePem),
      key: write(`${user}-key.pem`, issued.privateKeyPem),
    };
  };

  const members: MemberSpec[] = [];
  for (let i = 0; i < count; i++) {
    const name = `etcd-${i + 1}`;
    const server = await issueMemberCertificate(created.ca, name, ['127.0.0.1', 'localhost'], ctx);
    write(`${name}.pem`, server.certificatePem);
    write(`${name}-key.pem`, server.privateKeyPem);
    members.push({
      name,
      clientPort: await freePort(),
      peerPort: await freePort(),
      dataDir: join(dir, `${name}.data`),
      logFile: join(dir, `${name}.log`),
    });
  }
  const root = await clientFiles('root');
  const endpoints = members.map((m) => `https://127.0.0.1:${m.clientPort}`);
  const initialCluster = members.map((m) => `${m.name}=https://127.0.0.1:${m.peerPort}`).join(',');
  const processes: (ChildProcess | undefined)[] = [];

  const argsOf = (m: MemberSpec): string[] => [
    `--name=${m.name}`,
    `--data-dir=${m.dataDir}`,
    `--listen-client-urls=https://127.0.0.1:${m.clientPort}`,
    `--advertise-client-urls=https://127.0.0.1:${m.clientPort}`,
    `--listen-peer-urls=https://127.0.0.1:${m.peerPort}`,
    `--initial-advertise-peer-urls=https://127.0.0.1:${m.peerPort}`,
    `--initial-cluster=${initialCluster}`,
    '--initial-cluster-state=new',
    '--initial-cluster-token=warden-test',
    `--cert-file=${join(dir, `${m.name}.pem`)}`,
    `--key-file=${join(dir, `${m.name}-key.pem`)}`,
    `--trusted-ca-file=${caFile}`,
    '--client-cert-auth',
    `--peer-cert-file=${join(dir, `${m.name}.pem`)}`,
    `--peer-key-file=${join(dir, `${m.name}-key.pem`)}`,
    `--peer-trusted-ca-file=${caFile}`,
    '--peer-client-cert-auth',
    // Short timings so elections after a stop take well under a second.
    '--heartbeat-interval=50',
    '--election-timeout=500',
    '--logger=zap',
    '--log-outputs=stderr',
    ...(options.enableV2 ? ['--enable-v2'] : []),
  ];

  const startMember = async (index: number, waitHealthy: boolean): Promise<void> => {
    const m = members[index] as MemberSpec;
    const log = openSync(m.logFile, 'a');
    const child = spawn(etcd, argsOf(m), { stdio: ['ignore', log, log], detached: false });
    closeSync(log);
    processes[index] = child;
    if (waitHealthy) await waitHealthy_(index);
  };

  const health = (index: number): Promise<boolean> => {
    const m = members[index] as MemberSpec;
    return new Promise((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: m.clientPort,
          path: '/health',
          ca: created.certificatePem,
          cert: readFileSync(root.cert),
          key: readFileSync(root.key),
          timeout: 1_000,
        },
        (res) => {
          let body = '';
          res.on('data', (chunk) => {
            body += chunk;
          });
          res.on('end', () => resolve(res.statusCode === 200 && body.includes('"true"')));
        },
      );
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
  };

  async function waitHealthy_(index: number): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const child = processes[index];
      if (!child || child.exitCode !== null) {
        throw new Error(`etcd member ${index} exited: ${tail(index)}`);
      }
      if (await health(index)) return;
      await sleep(100);
    }
    throw new Error(`etcd member ${index} not healthy within ${START_TIMEOUT_MS} ms: ${tail(index)}`);
  }

  const tail = (index: number): string => {
    try {
      return readFileSync((members[index] as MemberSpec).logFile, 'utf8')
        .split('\n')
        .slice(-5)
        .join('\n');
    } catch {
      return '(no log)';
    }
  };

  const stopMember = async (index: number, signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> => {
    const child = processes[index];
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid as number, signal);
    const timer = sleep(STOP_TIMEOUT_MS).then(() => 'timeout' as const);
    if ((await Promise.race([exited.then(() => 'exited' as const), timer])) === 'timeout') {
      process.kill(child.pid as number, 'SIGKILL');
      await Promise.race([exited, sleep(STOP_TIMEOUT_MS)]);
    }
    processes[index] = undefined;
  };

  const cluster: EtcdCluster = {
    dir,
    endpoints,
    ca: created.ca,
    caPem: created.certificatePem,
    caKeyPem: created.privateKeyPem,
    caFile,
    root,
    clientFiles,
    etcdctlArgs: () => [
      `--endpoints=${endpoints.join(',')}`,
      `--cacert=${caFile}`,
      `--cert=${root.cert}`,
      `--key=${root.key}`,
      '--command-timeout=5s',
    ],
    etcdctl(...args) {
      const run = spawnSync('etcdctl', [...cluster.etcdctlArgs(), ...args], {
        env: { ...process.env, ETCDCTL_API: '3' },
        encoding: 'utf8',
        timeout: 15_000,
      });
      if (run.status !== 0) throw new Error(`etcdctl ${args.join(' ')} failed: ${run.stderr}`);
      return run.stdout;
    },
    memberNames: () => members.map((m) => m.name),
    stopMember,
    startMember: (index) => startMember(index, true),
    logOf: (index) => readFileSync((members[index] as MemberSpec).logFile, 'utf8'),
    async stop() {
      await Promise.all(members.map((_, i) => stopMember(i)));
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    // Members of a new cluster wait for each other: start all, then wait for each.
    for (let i = 0; i < count; i++) await startMember(i, false);
    for (let i = 0; i < count; i++) await waitHealthy_(i);
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
