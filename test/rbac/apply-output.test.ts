// What a large apply prints when its output is not a terminal: one line per applied change, every
// change exactly once and in the order applied, then the summary; from 1,000 changes on the lines
// are written in batches (one write per change cost a 5,000-change apply ~300 ms of its thread).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { warden } from './cli-env.js';

const N = 250;

describe('apply output through a pipe', () => {
  let cluster: EtcdCluster;
  let file: string;

  beforeAll(async () => {
    cluster = await startEtcdCluster();
    const lines = ['version: 1', 'auth: enabled', 'prune: false', 'roles:'];
    for (let i = 0; i < N; i++) lines.push(`  app-${i}:`, `    - { prefix: /apps/${i}/, access: readwrite }`);
    lines.push('users:', '  root:', '    roles: [root]');
    for (let i = 0; i < N; i++) lines.push(`  svc-${i}:`, `    roles: [app-${i}]`);
    file = join(cluster.dir, 'many.yaml');
    writeFileSync(file, `${lines.join('\n')}\n`);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('prints every change of a 1,003-change apply once, in the order the plan lists them, then the summary', () => {
    // Prepare
    const plan = warden(cluster, ['plan', file]);
    const planned = plan.stdout.split('\n').filter((l) => /^[+~-] /.test(l));

    // Act
    const apply = warden(cluster, ['apply', file, '--yes']);

    // Assess
    expect(apply.code, apply.stderr).toBe(0);
    // A role and its permission per app, then each user (root too) made and given its role, then auth.
    expect(planned).toHaveLength(4 * N + 3);
    const applied = apply.stdout
      .split('\n')
      .filter((l) => l.startsWith('applied '))
      .map((l) => l.slice('applied '.length));
    // Changes of one phase run concurrently and may land in any order; phases land in plan order.
    expect([...applied].sort()).toEqual([...planned].sort());
    expect(applied.at(-1)).toBe('+ auth enable');
    expect(apply.stdout.endsWith('Applied 1003 changes; etcd now matches the policy.\n')).toBe(true);
  });
});
