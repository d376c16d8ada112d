// The applier against real etcd: stop at the first failure with a report, approval, refusals.
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdBackend } from '../../shared/etcd/backend.js';
import { isAuthEnabled, readAuthState } from '../../shared/etcd/read-auth-state.js';
import { applyPolicy } from '../../shared/rbac/apply.js';
import type { Change } from '../../shared/rbac/change.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { caStoreFor, cliEnv, policyFile, warden } from './cli-env.js';
import { rootClient } from './cluster-client.js';
import { policyOf, prefix } from './policy-fixtures.js';

describe('applyPolicy against etcd', () => {
  let cluster: EtcdCluster;
  let client: Etcd3;

  beforeAll(async () => {
    cluster = await startEtcdCluster();
    client = await rootClient(cluster);
  });

  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  });

  it('stops at the first change etcd refuses and reports what was applied', async () => {
    // Prepare: a hand-built policy (validation would have caught it) with a user name etcd rejects.
    const policy = policyOf({
      roles: { good: [prefix('/good/')], other: [prefix('/other/')] },
      users: { '': ['good'], u: ['good', 'other'] },
      auth: 'disabled',
    });
    const progress: string[] = [];

    // Act
    const report = await applyPolicy(policy, etcdBackend(client, 'root'), {
      identity: 'root',
      onProgress: (done, total, change) => progress.push(`${done}/${total} ${change.op}`),
    });

    // Assess
    expect(report.failure?.change).toEqual({ op: 'add-user', user: '' });
    expect(report.failure?.error.message).toMatch(/etcd failed while applying "user ": .*user name is empty/);
    expect(report.applied.map((c: Change) => c.op)).toEqual([
      'add-role',
      'add-role',
      'grant-permission',
      'grant-permission',
    ]);
    expect(progress).toEqual([
      '1/9 add-role',
      '2/9 add-role',
      '3/9 grant-permission',
      '4/9 grant-permission',
    ]);
    // The failed change's phase-mate and every later phase were never sent.
    expect(report.remaining.map((c) => c.op)).toEqual([
      'add-user',
      'add-user',
      'grant-role',
      'grant-role',
      'grant-role',
    ]);
    const live = await readAuthState(client);
    expect([...live.users.keys()]).toEqual([]);
    expect(live.roles.get('good')).toHaveLength(1);
  });

  it('sends nothing when the approver declines, and releases the lock', async () => {
    // Prepare
    const policy = policyOf({ roles: { declined: [prefix('/declined/')] }, auth: 'disabled' });
    const before = await readAuthState(client);

    // Act
    const report = await applyPolicy(policy, etcdBackend(client, 'root'), { approve: async () => false });
    const again = await applyPolicy(policy, etcdBackend(client, 'root'), { approve: async () => true });

    // Assess
    expect(report.declined).toBe(true);
    expect(report.applied).toEqual([]);
    expect(before.roles.has('declined')).toBe(false);
    expect(again.applied.map((c) => c.op)).toContain('add-role');
  });
});

describe('refusals through the CLI', () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcdCluster();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('refuses a plan that takes root away from the identity applying it, and changes nothing', async () => {
    // Prepare: "admin" holds root and applies a policy that would revoke it from itself.
    const admin = await cluster.clientFiles('admin');
    const withAdmin = policyFile(cluster, 'calico-kubernetes-simple.yaml', 'admin.yaml', (t) =>
      t.replace('users:\n', 'users:\n  admin:\n    roles: [root]\n    acknowledge: [root-grant]\n'),
    );
    const withoutRoot = policyFile(cluster, 'calico-kubernetes-simple.yaml', 'admin-demoted.yaml', (t) =>
      t.replace('users:\n', 'users:\n  admin:\n    roles: [calico]\n'),
    );
    const setup = warden(cluster, ['apply', withAdmin, '--yes']);

    // Act
    const plan = warden(cluster, ['plan', withoutRoot], cliEnv(cluster, admin));
    const apply = warden(cluster, ['apply', withoutRoot, '--yes'], cliEnv(cluster, admin));

    // Assess
    expect(setup.code, setup.stderr).toBe(0);
    for (const run of [plan, apply]) {
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        'etcd-warden: refusing to apply: this plan takes the root role away from "admin", the identity applying it\n',
      );
    }
    expect(cluster.etcdctl('user', 'get', 'admin')).toMatch(/Roles: root/);
  });

  it('refuses to enable auth when the identity applying would be locked out', async () => {
    // Prepare: a fresh cluster state with auth off, applied by a user the policy does not make root.
    cluster.etcdctl('auth', 'disable');
    const deployer = await cluster.clientFiles('deployer');
    const file = policyFile(cluster, 'calico-kubernetes-simple.yaml', 'plain.yaml');

    // Act
    const run = warden(cluster, ['apply', file, '--yes'], cliEnv(cluster, deployer));

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /refusing to apply: with auth enabled, "deployer" .* could not manage etcd again; connect as root/,
    );
    const client = await rootClient(cluster);
    try {
      expect(await isAuthEnabled(client)).toBe(false);
    } finally {
      client.close();
    }
  });

  it('verify reports a mismatch when auth is off (everyone can read everything)', async () => {
    // Prepare
    const file = policyFile(cluster, 'calico-kubernetes-simple.yaml', 'plain2.yaml');
    const caStore = await caStoreFor(cluster);

    // Act
    const run = warden(cluster, ['verify', file, '--ca-store', caStore, '--json']);

    // Assess
    expect(run.code).toBe(1);
    const parsed = JSON.parse(run.stdout) as {
      ok: boolean;
      mismatches: number;
      probes: { user: string; probe: string; actual: string; expected: string }[];
    };
    expect(parsed.ok).toBe(false);
    expect(parsed.probes).toContainEqual(
      expect.objectContaining({ user: 'calico', probe: 'parent', expected: 'refused', actual: 'allowed' }),
    );
  });
});
