// `etcd-warden dev`, the README's main command, run as a user would: the built CLI in a fresh
// directory, "ready" within the time the issue allows, the printed commands pasted into another
// shell, Ctrl-C stopping everything, and a second run reusing what the first left.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';

const READY_LIMIT_MS = 30_000;
const cwd = mkdtempSync(join(tmpdir(), 'warden-dev-'));
const running: ChildProcess[] = [];

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(cwd, { recursive: true, force: true });
});

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

interface Dev {
  child: ChildProcess;
  output: () => string;
  readyAfterMs: number;
}

async function startDev(ports: string[]): Promise<Dev> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [
      join(REPO, 'bin/etcd-warden.js'),
      'dev',
      '--policy',
      join(REPO, 'examples/calico-kubernetes-simple.yaml'),
      ...ports,
    ],
    { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  running.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "ready" within ${READY_LIMIT_MS} ms:\n${output}`)),
      READY_LIMIT_MS,
    );
    const check = () => {
      if (/^ready\b/m.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dev exited with ${code}:\n${output}`));
    });
  });
  return { child, output: () => output, readyAfterMs: Date.now() - started };
}

async function interrupt(dev: Dev): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => dev.child.once('exit', (code) => resolve(code)));
  dev.child.kill('SIGINT');
  const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 10_000));
  const result = await Promise.race([exited, timeout]);
  if (result === 'timeout') throw new Error('dev did not stop within 10 s of Ctrl-C');
  return result;
}

const etcdPid = (output: string): number => Number(/\(pid (\d+),/.exec(output)?.[1]);
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('etcd-warden dev', () => {
  it('reaches ready, its printed commands work in another shell, Ctrl-C stops etcd, a rerun reuses it all', async () => {
    // Prepare
    const ports = ['--etcd-port', String(await freePort()), '--peer-port', String(await freePort())];
    ports.push('--serve-port', String(await freePort()));

    // Act: first run
    const first = await startDev(ports);

    // Assess: ready in time, the policy applied and verified
    expect(first.readyAfterMs).toBeLessThanOrEqual(READY_LIMIT_MS);
    expect(first.output()).toContain('CA: created');
    expect(first.output()).toContain('Applied 12 changes; etcd now matches the policy.');
    expect(first.output()).toMatch(/Verified: \d+ probes as 3 users, all as the policy says\./);

    // Act: paste the printed commands into another shell, one at a time
    const commands = first
      .output()
      .split('Try it from another shell:\n')[1]
      ?.split('\n\n')[0]
      ?.split('\n')
      .map((line) => line.trim().replace(/\s+#.*$/, ''))
      .filter(Boolean);
    expect(commands).toHaveLength(5);
    const shell = (command: string) =>
      spawnSync('bash', ['-c', command], {
        cwd,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, NO_COLOR: '1' },
      });
    const [issue, put, get, plan, curl] = (commands ?? []).map(shell);

    // Assess: the certificate is issued; it writes its prefix, is refused elsewhere; plan is empty
    expect(issue?.status, issue?.stderr).toBe(0);
    expect(put?.status, put?.stderr).toBe(0);
    expect(put?.stdout.trim()).toBe('OK');
    expect(get?.status).not.toBe(0);
    expect(get?.stderr).toContain('permission denied');
    expect(plan?.status, plan?.stderr).toBe(0);
    expect(plan?.stdout).toContain('No changes');
    // issue-cert over HTTP, through serve, for the caller the sandbox's token stands for
    expect(curl?.status, curl?.stderr).toBe(0);
    const issued = JSON.parse(curl?.stdout ?? '{}');
    expect(issued.certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(issued.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const subject = spawnSync('openssl', ['x509', '-noout', '-subject'], {
      input: issued.certificate,
      encoding: 'utf8',
    });
    expect(subject.stdout.trim()).toMatch(/^subject=CN\s*=\s*calico$/);

    // Act: Ctrl-C
    const pid = etcdPid(first.output());
    expect(alive(pid)).toBe(true);
    expect(await interrupt(first)).toBe(0);

    // Assess: etcd is gone
    expect(alive(pid)).toBe(false);

    // Act: second run in the same directory
    const second = await startDev(ports);

    // Assess: the CA and the applied policy are reused; the data written before is still there
    expect(second.output()).toContain('CA: reusing');
    expect(second.output()).toContain('No changes: etcd matches the policy.');
    expect(
      shell(commands?.[1]?.replace('put /calico/hello world', 'get /calico/hello') ?? '').stdout,
    ).toContain('world');
    expect(await interrupt(second)).toBe(0);
    expect(alive(etcdPid(second.output()))).toBe(false);
  }, 120_000);
});
