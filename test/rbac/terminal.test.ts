// The CLI on a real terminal (a pseudo-terminal from util-linux `script`): colors, the apply
// prompt, the progress line of long applies, and an apply that etcd stops midway.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { besidesWarnings, REPO } from '../support/cli.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { BIN, cliEnv, policyFile, warden } from './cli-env.js';

const ESC = '\u001b';

/** `script` running the CLI under a pseudo-terminal, and the environment of a color terminal. */
function underTerminal(cluster: EtcdCluster, args: string[], extraEnv: NodeJS.ProcessEnv) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...cliEnv(cluster), TERM: 'xterm', ...extraEnv };
  if (!('NO_COLOR' in extraEnv)) delete env.NO_COLOR;
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return { args: ['-qec', command, '/dev/null'], env };
}

/** Runs the CLI under a pseudo-terminal, typing `input`; returns what the terminal showed. */
function onTerminal(cluster: EtcdCluster, args: string[], input = '', extraEnv: NodeJS.ProcessEnv = {}) {
  const terminal = underTerminal(cluster, args, extraEnv);
  const run = spawnSync('script', terminal.args, {
    cwd: REPO,
    env: terminal.env,
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, screen: run.stdout.replaceAll('\r\n', '\n') };
}

/**
 * Runs `apply` under a pseudo-terminal and, once it asks, runs `meanwhile` before typing "y":
 * what someone else does to etcd while the plan is on screen.
 */
function applyOnTerminalAnswering(
  cluster: EtcdCluster,
  file: string,
  meanwhile: () => void,
): Promise<{ code: number | null; screen: string }> {
  const terminal = underTerminal(cluster, ['apply', file], {});
  return new Promise((resolve) => {
    const child = spawn('script', terminal.args, { cwd: REPO, env: terminal.env });
    let screen = '';
    let answered = false;
    child.stdout.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
      if (answered || !screen.includes('[y/N] ')) return;
      answered = true;
      meanwhile();
      child.stdin.end('y\n');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen: screen.replaceAll('\r\n', '\n') });
    });
  });
}

describe('on a terminal', () => {
  let cluster: EtcdCluster;
  let policy: string;

  beforeAll(async () => {
    cluster = await startEtcdCluster();
    policy = policyFile(cluster, 'calico-kubernetes-simple.yaml', 'policy.yaml');
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('colors the plan: green adds; NO_COLOR turns colors off', () => {
    // Act
    const colored = onTerminal(cluster, ['plan', policy]);
    const plain = onTerminal(cluster, ['plan', policy], '', { NO_COLOR: '1' });

    // Assess
    expect(colored.code).toBe(0);
    expect(colored.screen).toContain(`${ESC}[32m+ role calico${ESC}[0m\n`);
    expect(plain.screen).toContain('+ role calico\n');
    expect(plain.screen).not.toContain(ESC);
  });

  it('asks before applying; "n" changes nothing', () => {
    // Act
    const declined = onTerminal(cluster, ['apply', policy], 'n\n');
    const pending = warden(cluster, ['plan', policy, '--detailed-exitcode']);

    // Assess
    expect(declined.screen).toContain('Apply 12 changes to etcd? [y/N] ');
    expect(declined.screen).toContain('Apply cancelled: nothing was changed.');
    expect(declined.code).toBe(1);
    expect(pending.code).toBe(2);
  });

  it('"y" applies', () => {
    // Act
    const accepted = onTerminal(cluster, ['apply', policy], 'y\n');

    // Assess
    expect(accepted.screen).toContain('Applied 12 changes; etcd now matches the policy.');
    expect(accepted.code).toBe(0);
    expect(warden(cluster, ['plan', policy, '--detailed-exitcode']).code).toBe(0);
  });

  it('colors changes yellow and removals red', () => {
    // Prepare: drift by hand on the applied policy: calico's access narrowed, a user added.
    cluster.etcdctl('role', 'grant-permission', '--prefix=true', 'calico', 'read', '/calico/');
    cluster.etcdctl('user', 'add', 'intruder', '--no-password');
    const pruning = policyFile(cluster, 'calico-kubernetes-simple.yaml', 'pruning.yaml', (t) =>
      t.replace('prune: false', 'prune: true'),
    );

    // Act
    const run = onTerminal(cluster, ['plan', pruning]);

    // Assess
    expect(run.code).toBe(0);
    expect(besidesWarnings(run.screen)).toBe(
      [
        `${ESC}[33m~ permission calico: prefix "/calico/" read -> readwrite${ESC}[0m`,
        `${ESC}[31m- user intruder${ESC}[0m`,
        'Plan: 0 to add, 1 to change, 1 to remove.',
        '',
      ].join('\n'),
    );
  });

  it('shows a progress line on a long apply', () => {
    // Prepare
    const lines = ['version: 1', 'auth: enabled', 'roles:'];
    for (let i = 0; i < 30; i++)
      lines.push(`  team-${i}:`, `    - { prefix: /teams/${i}/, access: readwrite }`);
    lines.push('users:', '  root:', '    roles: [root]');
    for (let i = 0; i < 30; i++) lines.push(`  team-user-${i}:`, `    roles: [team-${i}]`);
    const file = join(cluster.dir, 'teams.yaml');
    writeFileSync(file, `${lines.join('\n')}\n`);

    // Act
    const run = onTerminal(cluster, ['apply', file, '--yes']);

    // Assess: 30 roles, 30 permissions, 30 users, 30 grants.
    expect(run.code).toBe(0);
    expect(run.screen).toMatch(/\r1\/120 applied/);
    expect(run.screen).toContain('\r120/120 applied\n');
    expect(run.screen).toContain('Applied 120 changes; etcd now matches the policy.');
  });

  it('stops at the first change etcd refuses (a role deleted by hand while it asked) and says what it applied', async () => {
    // Prepare: a role with users; then a policy that adds a role, a user, and a permission to the
    // first role. While the prompt waits, someone deletes that role with etcdctl.
    const reports = ['roles:', '  reports:', '    - { prefix: /reports/, access: read }'];
    const users = ['users:', '  root:', '    roles: [root]', '  reporter:', '    roles: [reports]'];
    const header = ['version: 1', 'auth: enabled', 'prune: true'];
    const base = join(cluster.dir, 'reports.yaml');
    writeFileSync(base, [...header, ...reports, ...users, ''].join('\n'));
    const grown = join(cluster.dir, 'reports-and-ingest.yaml');
    writeFileSync(
      grown,
      [
        ...header,
        ...reports,
        '    - { prefix: /reports-archive/, access: read }',
        '  ingest:',
        '    - { prefix: /ingest/, access: readwrite }',
        ...users,
        '  ingester:',
        '    roles: [ingest]',
        '',
      ].join('\n'),
    );
    const setup = warden(cluster, ['apply', base, '--yes']);

    // Act
    const run = await applyOnTerminalAnswering(cluster, grown, () =>
      cluster.etcdctl('role', 'delete', 'reports'),
    );
    const usersAfter = cluster.etcdctl('user', 'list');
    const converge = warden(cluster, ['apply', grown, '--yes']);

    // Assess: the role and permission of "ingest" went in with the failed grant (one phase); the
    // user and its grant, a later phase, were never sent.
    expect(setup.code, setup.stderr).toBe(0);
    expect(run.screen).toContain('Plan: 5 to add, 0 to change, 0 to remove.\n');
    expect(run.screen).toContain('Applied 2 of 5 changes, then stopped.\n');
    expect(run.screen).toMatch(
      /\netcd-warden: failed at "permission reports: prefix "\/reports-archive\/" read": etcd failed while applying the change: etcdserver: role name not found\n$/,
    );
    expect(run.code).toBe(1);
    expect(usersAfter.split('\n')).not.toContain('ingester');
    expect(converge.code, converge.stderr).toBe(0);
    expect(warden(cluster, ['plan', grown, '--detailed-exitcode']).code).toBe(0);
  });
});
