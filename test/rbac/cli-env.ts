// Running the built CLI against a harness cluster: connection variables and a file CA store.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileCaStore } from '../../shared/castore/index.js';
import { type CliRun, REPO, runCli } from '../support/cli.js';
import type { EtcdCluster } from '../support/etcd-cluster.js';

export const BIN = join(REPO, 'bin/etcd-warden.js');

export function cliEnv(cluster: EtcdCluster, identity = cluster.root): NodeJS.ProcessEnv {
  return {
    ETCDCTL_ENDPOINTS: cluster.endpoints.join(','),
    ETCDCTL_CACERT: cluster.caFile,
    ETCDCTL_CERT: identity.cert,
    ETCDCTL_KEY: identity.key,
  };
}

/** A file CA store holding the cluster's CA, for `verify`. */
export async function caStoreFor(cluster: EtcdCluster): Promise<string> {
  const dir = join(cluster.dir, 'ca-store');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await fileCaStore(dir).create({ certificatePem: cluster.caPem, privateKeyPem: cluster.caKeyPem });
  return `file://${dir}`;
}

export const warden = (cluster: EtcdCluster, args: string[], env: NodeJS.ProcessEnv = {}): CliRun =>
  runCli(args, { env: { ...cliEnv(cluster), ...env }, timeoutMs: 60_000 });

/** The CLI as a child process that runs alongside the test. */
export function wardenAsync(
  cluster: EtcdCluster,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO,
      env: { ...process.env, NO_COLOR: '1', ...cliEnv(cluster), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A copy of an example policy with text replaced, written into the cluster's scratch dir. */
export function policyFile(
  cluster: EtcdCluster,
  example: string,
  name: string,
  edit: (text: string) => string = (t) => t,
): string {
  const text = edit(readFileSync(join(REPO, 'examples', example), 'utf8'));
  const path = join(cluster.dir, name);
  writeFileSync(path, text);
  return path;
}
