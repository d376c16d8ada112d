// Faults against real etcd: an apply killed with SIGKILL at seeded random points while swapping
// tenants, then an apply that converges; a member down, the first endpoint's included; quorum
// lost before an apply and midway through one, then regained; two applies at once. The bootstrap
// of a fresh cluster killed at seeded points, root at stake, is in bootstrap-kill.test.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireApplyLock } from '../../shared/etcd/apply-lock.js';
import { APPLY_CONCURRENCY, etcdBackend } from '../../shared/etcd/backend.js';
import { connectEtcd } from '../../shared/etcd/connect.js';
import { readAuthState } from '../../shared/etcd/read-auth-state.js';
import { applyPolicy } from '../../shared/rbac/apply.js';
import type { RbacBackend } from '../../shared/rbac/backend.js';
import { planChanges } from '../../shared/rbac/plan.js';
import { besidesWarnings, type CliRun } from '../support/cli.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { warden, wardenAsync } from './cli-env.js';
import { rootClient } from './cluster-client.js';
import {
  applyWhileKilling,
  policyIn,
  seeded,
  switchingTenants,
  tenantPolicy,
  whatRootCanDo,
} from './fault-support.js';

const rootIsIntact = (cluster: EtcdCluster): boolean =>
  /Roles: .*\broot\b/.test(cluster.etcdctl('user', 'get', 'root'));

describe('apply killed with SIGKILL at seeded random points', () => {
  let cluster: EtcdCluster;
  let files: string[];

  beforeAll(async () => {
    cluster = await startEtcdCluster();
    files = switchingTenants(cluster, ['alpha', 'beta']);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('converges with root intact after every one of 12 kill points', async () => {
    // Prepare: each round switches between two disjoint policies, so every apply both adds
    // (15 roles, 30 permissions, 15 users, 15 grants) and removes (15 users, 15 roles): 105 changes.
    const random = seeded(20_261_128);
    const outcomes: string[] = [];

    for (let round = 0; round < 12; round++) {
      const file = files[round % 2] as string;
      const killAfter = 1 + Math.floor(random() * 100);

      // Act
      const killed = await applyWhileKilling(
        cluster,
        [file, '--lock-ttl', '2s', '--lock-timeout', '10s'],
        killAfter,
        (apply) => {
          apply.kill('SIGKILL');
        },
      );
      const intactAfterKill = rootIsIntact(cluster);
      const converge = warden(cluster, ['apply', file, '--yes', '--lock-timeout', '10s']);
      const plan = warden(cluster, ['plan', file, '--detailed-exitcode']);

      // Assess
      outcomes.push(
        `kill after ${killAfter}: saw ${killed.killedAt ?? 'the end'}, ${killed.signal ?? `exit ${killed.code}`}`,
      );
      expect(intactAfterKill, outcomes.join('; ')).toBe(true);
      expect(converge.code, `${outcomes.at(-1)}: ${converge.stderr}`).toBe(0);
      expect(plan.code, `${outcomes.at(-1)}: ${plan.stdout}`).toBe(0);
      expect(rootIsIntact(cluster)).toBe(true);
    }
    // Most rounds must really have been cut short, or the test proves nothing.
    expect(outcomes.filter((o) => o.includes('SIGKILL')).length, outcomes.join('\n')).toBeGreaterThanOrEqual(
      10,
    );
  }, 240_000);
});

describe('two applies started together', () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcdCluster();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('lets exactly one apply; the other names the lock holder or finds nothing left; the end state is the policy', async () => {
    // Prepare
    const file = join(cluster.dir, 'tenants.yaml');
    writeFileSync(file, tenantPolicy('gamma', 40));

    // Act
    const runs: CliRun[] = await Promise.all([
      wardenAsync(cluster, ['apply', file, '--yes']),
      wardenAsync(cluster, ['apply', file, '--yes']),
    ]);

    // Assess
    const appliers = runs.filter((r) => /Applied \d+ changes; etcd now matches the policy\./.test(r.stdout));
    const others = runs.filter((r) => !appliers.includes(r));
    expect(appliers, JSON.stringify(runs)).toHaveLength(1);
    expect(appliers[0]?.code).toBe(0);
    const other = others[0] as CliRun;
    const refused =
      other.code === 1 &&
      /another apply holds the lock: "root" on .+ \(pid \d+\) since .+; nothing was changed/.test(
        other.stderr,
      );
    const foundNothing = other.code === 0 && other.stdout === 'No changes: etcd matches the policy.\n';
    expect(refused || foundNothing, JSON.stringify(other)).toBe(true);
    expect(other.stdout).not.toMatch(/^applied /m);
    expect(warden(cluster, ['plan', file, '--detailed-exitcode']).code).toBe(0);
  }, 60_000);

  it('refuses while another apply holds the lock, names the holder, changes nothing, and waits when asked', async () => {
    // Prepare: hold the lock the way a running apply does.
    const file = join(cluster.dir, 'other.yaml');
    writeFileSync(file, tenantPolicy('zeta', 3));
    const client = await rootClient(cluster);
    const holder = {
      identity: 'deployer',
      host: 'ci-runner-7',
      pid: 4242,
      since: '2026-01-01T00:00:00.000Z',
    };
    const lock = await acquireApplyLock(client, holder, { ttlSeconds: 5 });

    try {
      // Act
      const refused = warden(cluster, ['apply', file, '--yes']);
      const before = await readAuthState(client);
      const waiting = wardenAsync(cluster, ['apply', file, '--yes', '--lock-timeout', '20s']);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await lock.release();
      const waited = await waiting;

      // Assess
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        'etcd-warden: another apply holds the lock: "deployer" on ci-runner-7 (pid 4242) since 2026-01-01T00:00:00.000Z; nothing was changed\n',
      );
      expect(before.roles.has('zeta-0')).toBe(false);
      expect(waited.code, waited.stderr).toBe(0);
      expect(waited.stdout).toContain('Applied ');
    } finally {
      client.close();
    }
  }, 60_000);
});

describe('three members: one down, then quorum lost and regained', () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcdCluster({ members: 3 });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('applies with the first endpoint’s member stopped, moving on to the next endpoint', async () => {
    // Prepare: the CLI tries the endpoints in order, so member 0 is the one it reaches first.
    const file = join(cluster.dir, 'theta.yaml');
    writeFileSync(file, tenantPolicy('theta', 10));
    await cluster.stopMember(0);

    // Act
    const apply = warden(cluster, ['apply', file, '--yes', '--command-timeout', '2s']);
    const plan = warden(cluster, ['plan', file, '--detailed-exitcode', '--command-timeout', '2s']);
    const secondMember = await rootClient({ ...cluster, endpoints: [cluster.endpoints[1] as string] });
    const seenBySecondMember = await readAuthState(secondMember).finally(() => secondMember.close());
    await cluster.startMember(0);

    // Assess
    expect(besidesWarnings(apply.stderr)).toBe('');
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/\nApplied \d+ changes; etcd now matches the policy\.\n$/);
    expect(plan.code).toBe(0);
    expect(planChanges(policyIn(file), seenBySecondMember)).toEqual([]);
  }, 60_000);

  it('applies with one member stopped', async () => {
    // Prepare
    const file = join(cluster.dir, 'delta.yaml');
    writeFileSync(file, tenantPolicy('delta', 10));
    await cluster.stopMember(2);

    // Act
    const apply = warden(cluster, ['apply', file, '--yes', '--command-timeout', '2s']);
    const plan = warden(cluster, ['plan', file, '--detailed-exitcode', '--command-timeout', '2s']);

    // Assess
    expect(besidesWarnings(apply.stderr)).toBe('');
    expect(apply.code).toBe(0);
    expect(plan.code).toBe(0);
  }, 60_000);

  it('fails within a bounded time with a clear message when quorum is lost, and converges once it returns', async () => {
    // Prepare
    const file = join(cluster.dir, 'epsilon.yaml');
    writeFileSync(file, tenantPolicy('epsilon', 10));
    await cluster.stopMember(1);

    // Act
    const started = Date.now();
    const failed = warden(cluster, ['apply', file, '--yes', '--command-timeout', '2s']);
    const elapsed = Date.now() - started;
    await Promise.all([cluster.startMember(1), cluster.startMember(2)]);
    const views = await Promise.all(
      cluster.endpoints.map(async (endpoint) => {
        const client = await rootClient({ ...cluster, endpoints: [endpoint] });
        try {
          const state = await readAuthState(client);
          return JSON.stringify({
            auth: state.authEnabled,
            roles: [...state.roles].sort(),
            users: [...state.users].sort(),
          });
        } finally {
          client.close();
        }
      }),
    );
    const converge = warden(cluster, ['apply', file, '--yes', '--lock-timeout', '15s']);
    const plan = warden(cluster, ['plan', file, '--detailed-exitcode']);

    // Assess
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /^etcd-warden: etcd did not answer while taking the apply lock: .*is a quorum of members up\?\)\n$/,
    );
    expect(elapsed).toBeLessThan(20_000);
    expect(new Set(views).size, views.join('\n')).toBe(1);
    expect(converge.code, converge.stderr).toBe(0);
    expect(plan.code).toBe(0);
    expect(rootIsIntact(cluster)).toBe(true);
  }, 90_000);

  it('fails within a bounded time with a clear message when quorum is lost midway, and converges once it returns', async () => {
    // Prepare: the CLI's applier and backend in this process, so that two of the three members
    // can crash (SIGKILL) at a known point: once 12 changes are acknowledged, with more to send.
    const file = join(cluster.dir, 'eta.yaml');
    writeFileSync(file, tenantPolicy('eta', 10));
    const client = await connectEtcd({
      endpoints: cluster.endpoints,
      caPem: cluster.caPem,
      certPem: readFileSync(cluster.root.cert, 'utf8'),
      keyPem: readFileSync(cluster.root.key, 'utf8'),
      callTimeoutMs: 2_000,
    });
    // Long enough that the lock outlives the crash; short enough for the next apply to wait out.
    const backend = etcdBackend(client, 'root', { ttlSeconds: 3 });
    let acknowledged = 0;
    let quorumLostAt = 0;
    const losingQuorum: RbacBackend = {
      ...backend,
      async applyChange(change) {
        await backend.applyChange(change);
        if (++acknowledged !== 12) return;
        await Promise.all([cluster.stopMember(1, 'SIGKILL'), cluster.stopMember(2, 'SIGKILL')]);
        quorumLostAt = Date.now();
      },
    };

    // Act
    const report = await applyPolicy(policyIn(file), losingQuorum, {
      identity: 'root',
      concurrency: APPLY_CONCURRENCY,
    }).finally(() => client.close());
    const failedAfterMs = Date.now() - quorumLostAt;
    await Promise.all([cluster.startMember(1), cluster.startMember(2)]);
    const converge = warden(cluster, ['apply', file, '--yes', '--lock-timeout', '15s']);
    const plan = warden(cluster, ['plan', file, '--detailed-exitcode']);
    const afterwards = await rootClient(cluster);
    const rootCan = await whatRootCanDo(afterwards, 'after quorum returned').finally(() =>
      afterwards.close(),
    );

    // Assess
    expect(quorumLostAt).toBeGreaterThan(0);
    expect(report.failure?.error.code).toBe('unavailable');
    expect(report.failure?.error.message).toMatch(
      /^etcd did not answer while applying the change: .+ \(is a quorum of members up\?\)$/,
    );
    expect(report.applied.length).toBeGreaterThanOrEqual(12);
    expect(report.applied.length).toBeLessThan(report.planned.length);
    expect(failedAfterMs).toBeLessThan(10_000);
    expect(besidesWarnings(converge.stderr)).toBe('');
    expect(converge.code).toBe(0);
    expect(plan.code).toBe(0);
    expect(rootIsIntact(cluster)).toBe(true);
    expect(rootCan).toBe('read back "after quorum returned"; root holds ["root"]');
  }, 90_000);
});
