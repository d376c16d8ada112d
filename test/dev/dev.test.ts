// `etcd-warden dev`, the README's main command, run as a user would: the built CLI in a fresh
// directory, "ready" within the time the issue allows, the access matrix verified, the printed
// commands pasted into another shell, Ctrl-C stopping everything, and a second run reusing what the
// first left. Whatever happens, no sandbox etcd outlives the tests.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from '../support/cli.js';

const READY_LIMIT_MS = 30_000;
const STOP_LIMIT_MS = 10_000;
const sandboxes: string[] = [];
const running: ChildProcess[] = [];

afterAll(async () => {
  // Ctrl-C stops etcd when a test gets that far. After a failure dev may still run, or be gone
  // with its etcd left behind: SIGKILL reaches dev alone. So kill each dev, then every etcd that
  // serves a data dir of these sandboxes.
  try {
    for (const child of running) child.kill('SIGKILL');
    await stopEtcdServing(sandboxes.map(dataDirOf));
  } finally {
    for (const dir of sandboxes) rmSync(dir, { recursive: true, force: true });
  }
});

function newSandbox(): string {
  // The real path: dev names its data dir after process.cwd(), which resolves symlinks.
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'warden-dev-')));
  sandboxes.push(dir);
  return dir;
}

/** Where dev keeps etcd's data when run in `sandbox` without --dir. */
const dataDirOf = (sandbox: string) => join(sandbox, '.etcd-warden', 'dev', 'data');

/** PIDs of the etcd processes started with --data-dir=`dataDir`. */
function etcdPidsServing(dataDir: string): number[] {
  // -ww: whole command lines, however long.
  const ps = spawnSync('ps', ['-ww', '-eo', 'pid=,args='], { encoding: 'utf8', timeout: 5_000 });
  if (ps.status !== 0) throw new Error(`ps failed (${ps.status}): ${ps.stderr}`);
  return ps.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(
      ([, command, ...args]) => basename(command ?? '') === 'etcd' && args.includes(`--data-dir=${dataDir}`),
    )
    .map(([pid]) => Number(pid));
}

/** SIGKILLs the etcd of each data dir and waits, at most STOP_LIMIT_MS, until they are gone. */
async function stopEtcdServing(dataDirs: string[]): Promise<void> {
  const pids = dataDirs.flatMap(etcdPidsServing);
  for (const pid of pids) process.kill(pid, 'SIGKILL');
  const deadline = Date.now() + STOP_LIMIT_MS;
  while (pids.some(alive)) {
    if (Date.now() >= deadline)
      throw new Error(
        `etcd ${pids.filter(alive).join(', ')} still running ${STOP_LIMIT_MS} ms after SIGKILL`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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

/** Every file below `dir` (etcd's data aside, which etcd itself rewrites) with its bytes and mode. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (at: string) => {
    if (!existsSync(at)) return;
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (name === 'data' || name === 'etcd.log') continue;
      if (statSync(path).isDirectory()) walk(path);
      else files[path] = `${statSync(path).mode.toString(8)} ${readFileSync(path, 'base64')}`;
    }
  };
  walk(dir);
  return files;
}

/** dev's port flags, each with a port free on loopback: never the defaults someone may be using. */
async function freePorts(): Promise<string[]> {
  const args: string[] = [];
  for (const flag of ['--etcd-port', '--peer-port', '--serve-port'])
    args.push(flag, String(await freePort()));
  return args;
}

interface Dev {
  child: ChildProcess;
  output: () => string;
  readyAfterMs: number;
}

async function startDev(cwd: string, ports: string[]): Promise<Dev> {
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

/** Resolves with dev's exit code once it exits; fails after STOP_LIMIT_MS. */
async function exitOf(dev: Dev, signal: NodeJS.Signals, what: string): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => dev.child.once('exit', (code) => resolve(code)));
  dev.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), STOP_LIMIT_MS);
  });
  const result = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') throw new Error(`dev did not stop within ${STOP_LIMIT_MS} ms of ${what}`);
  return result;
}

const interrupt = (dev: Dev) => exitOf(dev, 'SIGINT', 'Ctrl-C');

const etcdPid = (output: string): number => Number(/\(pid (\d+),/.exec(output)?.[1]);
/** Whether `pid` runs. A zombie counts as gone: an orphan's new parent may be slow to reap it, or never. */
function alive(pid: number): boolean {
  const ps = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8', timeout: 5_000 });
  const state = ps.stdout.trim();
  return state !== '' && !state.startsWith('Z');
}

interface MatrixRow {
  user: string;
  probe: string;
  keys: string;
  read: string;
  write: string;
}

/** The access matrix verify printed: the rows under its `user probe keys read write` header. */
function accessMatrix(output: string): MatrixRow[] {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => /^user\s+probe\s+keys\s+read\s+write$/.test(line));
  if (start < 0) return [];
  const header = lines[start] ?? '';
  // Columns are padded to their widest cell: each starts where its header word does.
  const columns = ['probe', 'keys', 'read', 'write'].map((word) => header.indexOf(word));
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end).map((line) => {
    const [user, probe, keys, read, write] = [0, ...columns].map((from, i) =>
      line.slice(from, columns[i]).trim(),
    );
    return { user, probe, keys, read, write } as MatrixRow;
  });
}

describe('etcd-warden dev', () => {
  it('reaches ready with the access matrix verified, its printed commands work in another shell, Ctrl-C stops etcd, a rerun reuses it all', async () => {
    // Prepare
    const cwd = newSandbox();
    const ports = await freePorts();

    // Act: first run
    const first = await startDev(cwd, ports);

    // Assess: ready in time, the policy applied and verified
    expect(first.readyAfterMs).toBeLessThanOrEqual(READY_LIMIT_MS);
    expect(first.output()).toContain('CA: created');
    expect(first.output()).toContain('Applied 12 changes; etcd now matches the policy.');
    const probes = Number(
      /^Verified: (\d+) probes as 3 users, all as the policy says\.$/m.exec(first.output())?.[1],
    );
    // The access matrix above that line: a cell per probe, each as the policy says (no "!").
    const matrix = accessMatrix(first.output());
    expect(matrix.flatMap((row) => [row.read, row.write]).filter(Boolean)).toHaveLength(probes);
    expect(new Set(matrix.map((row) => row.user))).toEqual(new Set(['calico', 'kube-apiserver', 'root']));
    expect(matrix.filter((row) => `${row.read} ${row.write}`.includes('!'))).toEqual([]);
    expect(matrix).toEqual(
      expect.arrayContaining([
        { user: 'calico', probe: 'inside', keys: 'prefix "/calico/"', read: 'allowed', write: 'allowed' },
        { user: 'calico', probe: 'whole key space', keys: 'prefix ""', read: 'refused', write: 'refused' },
        {
          user: 'kube-apiserver',
          probe: 'inside',
          keys: 'prefix "/registry/"',
          read: 'allowed',
          write: 'allowed',
        },
        { user: 'root', probe: 'whole key space', keys: 'prefix ""', read: 'allowed', write: 'allowed' },
      ]),
    );

    // Act: paste the printed commands into another shell, one at a time
    const commands = first
      .output()
      .split('Try it from another shell:\n')[1]
      ?.split('\n\n')[0]
      ?.split('\n')
      .map((line) => line.trim().replace(/\s+#.*$/, ''))
      .filter(Boolean);
    expect(commands).toHaveLength(8);
    const shell = (command: string) =>
      spawnSync('bash', ['-c', command], {
        cwd,
        encoding: 'utf8',
        timeout: 30_000,
        env: { ...process.env, NO_COLOR: '1' },
      });
    const [issue, put, get, plan] = (commands ?? []).slice(0, 4).map(shell);
    // The access key is exported in the shell the signed request is sent from, as a person would.
    const [exportKey, signedCurl, certRequest, agentOnce] = (commands ?? []).slice(4);
    const curl = shell(`${exportKey}; ${signedCurl}`);
    // From another folder: the node commands name absolute paths.
    const request = spawnSync('bash', ['-c', `cd /; ${exportKey}; ${certRequest}`], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const once = spawnSync('bash', ['-c', `cd /; ${exportKey}; ${agentOnce}`], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    const unsigned = shell(
      `curl -s -o /dev/null -w '%{http_code}' -X POST ${/http:\/\/127\.0\.0\.1:\d+/.exec(signedCurl ?? '')?.[0]}/certificates -d '{"user":"calico","generateKey":true}'`,
    );

    // Assess: the certificate is issued; it writes its prefix, is refused elsewhere; plan is empty
    expect(issue?.status, issue?.stderr).toBe(0);
    expect(put?.status, put?.stderr).toBe(0);
    expect(put?.stdout.trim()).toBe('OK');
    expect(get?.status).not.toBe(0);
    expect(get?.stderr).toContain('permission denied');
    expect(plan?.status, plan?.stderr).toBe(0);
    expect(plan?.stdout).toContain('No changes');
    // issue-cert over HTTP, through serve, signed with the access key of the example's IAM role
    expect(exportKey).toMatch(/^export AWS_ACCESS_KEY_ID=AKIA[0-9A-F]{16} AWS_SECRET_ACCESS_KEY=\S{40}$/);
    expect(unsigned.stdout).toBe('403');
    expect(curl?.status, curl?.stderr).toBe(0);
    expect(request.status, request.stderr).toBe(0);
    expect(request.stdout).toMatch(/^issued client certificate for calico, valid until /);
    expect(once.status, once.stderr).toBe(0);
    expect(once.stderr).toContain('"event":"not-due"');
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
    const second = await startDev(cwd, ports);

    // Assess: the CA and the applied policy are reused; the data written before is still there
    expect(second.output()).toContain('CA: reusing');
    expect(second.output()).toContain('No changes: etcd matches the policy.');
    expect(
      shell(commands?.[1]?.replace('put /calico/hello world', 'get /calico/hello') ?? '').stdout,
    ).toContain('world');
    expect(await interrupt(second)).toBe(0);
    expect(alive(etcdPid(second.output()))).toBe(false);
  }, 120_000);

  it('refuses to start a second time in a running sandbox: one line naming its pid, no file of it touched', async () => {
    // Prepare
    const cwd = newSandbox();
    const ports = await freePorts();
    const first = await startDev(cwd, ports);
    const before = snapshot(join(cwd, '.etcd-warden'));

    // Act: the same folder, the same ports; then the same folder with other ports
    const again = runCli(
      ['dev', '--policy', join(REPO, 'examples/calico-kubernetes-simple.yaml'), ...ports],
      {
        cwd,
        timeoutMs: 30_000,
      },
    );
    const elsewhere = runCli(
      ['dev', '--policy', join(REPO, 'examples/calico-kubernetes-simple.yaml'), ...(await freePorts())],
      { cwd, timeoutMs: 30_000 },
    );
    const after = snapshot(join(cwd, '.etcd-warden'));

    // Assess
    const pid = first.child.pid;
    for (const run of [again, elsewhere]) {
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        `etcd-warden: a sandbox already runs in ${join(cwd, '.etcd-warden', 'dev')} (dev, pid ${pid}); stop it first (Ctrl-C)\n`,
      );
    }
    expect(after).toEqual(before);
    expect(await interrupt(first)).toBe(0);
  }, 90_000);

  it('refuses a port in use before touching any file', async () => {
    // Prepare: something already listens on the etcd port
    const cwd = newSandbox();
    const ports = await freePorts();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(Number(ports[1]), '127.0.0.1', resolve));

    // Act
    const run = runCli(['dev', '--policy', join(REPO, 'examples/calico-kubernetes-simple.yaml'), ...ports], {
      cwd,
      timeoutMs: 30_000,
    });
    await new Promise((resolve) => blocker.close(resolve));

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      `etcd-warden: port ${ports[1]} on 127.0.0.1 (--etcd-port) is in use: another sandbox's etcd, or something else; free it or choose another with --etcd-port\n`,
    );
    expect(snapshot(join(cwd, '.etcd-warden'))).toEqual({});
  }, 60_000);

  it("leaves etcd running when dev is killed outright; the tests' cleanup finds it by data dir and stops it", async () => {
    // Prepare
    const cwd = newSandbox();
    const dev = await startDev(cwd, await freePorts());
    const pid = etcdPid(dev.output());

    // Act: kill dev the way a failed test's cleanup used to
    await exitOf(dev, 'SIGKILL', 'SIGKILL');

    // Assess: its etcd outlives it, and is found by this sandbox's data dir only
    expect(alive(pid)).toBe(true);
    expect(etcdPidsServing(dataDirOf(cwd))).toEqual([pid]);
    expect(etcdPidsServing(dataDirOf(`${cwd}-other`))).toEqual([]);

    // Act: the cleanup
    await stopEtcdServing([dataDirOf(cwd)]);

    // Assess
    expect(alive(pid)).toBe(false);
    expect(etcdPidsServing(dataDirOf(cwd))).toEqual([]);
  }, 60_000);
});
