// A policy file and a scratch working directory for running the built CLI as an operator would.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CliRun } from '../support/cli.js';

export const POLICY_YAML = `version: 1
auth: enabled
ca:
  commonName: cli test CA
  key: ecdsa-p256
  validity: 8760h
  revoked: ["1f"]
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
  etcd-1:
    hosts: [127.0.0.1, localhost]
    ttl: 720h
templates:
  node:
    user: "node-{instanceId}"
    roles: [app]
    certificate:
      ttl: 2h
`;

const BIN = fileURLToPath(new URL('../../bin/etcd-warden.js', import.meta.url));

/** The CLI in a child process without blocking this one (a loopback server here must keep answering). */
export function runCliAsync(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
