// The CLI on a real terminal (a pseudo-terminal from util-linux `script`): colors, the apply
// prompt, and the progress line of long applies.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { BIN, cliEnv, policyFile, warden } from './cli-env.js';

const ESC = '\u001b';

/** Runs the CLI under a pseudo-terminal, typing `input`; returns what the terminal showed. */
function onTerminal(cluster: EtcdCluster, args: string[], input = '', extraEnv: NodeJS.ProcessEnv = {}) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...cliEnv(cluster), TERM: 'xterm', ...extraEnv };
  if (!('NO_COLOR' in extraEnv)) delete env.NO_COLOR;
  const command = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  const run = spawnSync('script', ['-qec', command, '/dev/null'], {
    cwd: REPO,
    env,
    input,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, screen: run.stdout.replaceAll('\r\n', '\n') };
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
});
