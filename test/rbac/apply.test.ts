// The applier against real etcd: stop at the first failure with a report, approval, refusals,
// the CLI's JSON report, and users that only a certificate can act as.
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_KEY } from '../../shared/etcd/apply-lock.js';
import { etcdBackend } from '../../shared/etcd/backend.js';
import { isAuthEnabled, readAuthState } from '../../shared/etcd/read-auth-state.js';
import { applyInstanceState, applyPolicy } from '../../shared/rbac/apply.js';
import type { HeldLock, RbacBackend } from '../../shared/rbac/backend.js';
import type { Change } from '../../shared/rbac/change.js';
import type { ChangeJson } from '../../shared/rbac/format-plan.js';
import { besidesWarnings } from '../support/cli.js';
import { type EtcdCluster, sleep, startEtcdCluster } from '../support/etcd-cluster.js';
import { caStoreFor, cliEnv, policyFile, warden } from './cli-env.js';
import { rootClient, userClient } from './cluster-client.js';
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
    expect(report.failure?.error.message).toMatch(
      /etcd failed while applying the change: .*user name is empty/,
    );
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
    // Prepare: a role, and root (policyOf's default users), to add.
    const policy = policyOf({ roles: { declined: [prefix('/declined/')] }, auth: 'disabled' });
    const asked: string[][] = [];

    // Act
    const report = await applyPolicy(policy, etcdBackend(client, 'root'), {
      approve: async (changes) => {
        asked.push(changes.map((c) => c.op));
        return false;
      },
    });
    const afterDecline = await readAuthState(client);
    const again = await applyPolicy(policy, etcdBackend(client, 'root'), { approve: async () => true });

    // Assess: the approver saw the change, etcd never got it, and the lock was free again.
    const declinedPlan = ['add-role', 'grant-permission', 'add-user', 'grant-role'];
    expect(asked).toEqual([declinedPlan]);
    expect(report.declined).toBe(true);
    expect(report.applied).toEqual([]);
    expect(afterDecline.roles.has('declined')).toBe(false);
    expect(again.applied.map((c) => c.op)).toEqual(declinedPlan);
  });

  it('stops an instance event once its lock is lost midway, and sends nothing after that', async () => {
    // Prepare: two templates, so the event is four changes in four phases. After the first one
    // etcd loses the lock's lease (revoked behind the applier's back, as an expiry would), and the
    // applier sees it at its next renewal (a third of the 2 s TTL).
    cluster.etcdctl('role', 'add', 'lost-a');
    cluster.etcdctl('role', 'add', 'lost-b');
    const instanceId = 'i-0123456789abcdef0';
    const policy = policyOf({
      auth: 'disabled',
      templates: {
        a: { user: 'lost-a-{instanceId}', roles: ['lost-a'] },
        b: { user: 'lost-b-{instanceId}', roles: ['lost-b'] },
      },
    });
    const real = etcdBackend(client, 'root', { ttlSeconds: 2 });
    let held: HeldLock | undefined;
    let sent = 0;
    const backend: RbacBackend = {
      ...real,
      lock: async () => {
        held = await real.lock();
        return held;
      },
      applyChange: async (change) => {
        await real.applyChange(change);
        if (++sent > 1) return;
        const [entry] = (await client.get(LOCK_KEY).exec()).kvs;
        await client.leaseClient.leaseRevoke({ ID: entry?.lease as string });
        for (const deadline = Date.now() + 5_000; !held?.lost() && Date.now() < deadline; ) await sleep(50);
      },
    };

    // Act
    const report = await applyInstanceState(
      policy,
      backend,
      { instanceId, state: 'running' },
      { identity: 'root' },
    );
    const users = cluster.etcdctl('user', 'list');

    // Assess
    expect(held?.lost()).toBeDefined();
    expect(report.applied).toEqual([{ op: 'add-user', user: `lost-a-${instanceId}` }]);
    expect(report.failure?.change).toEqual({
      op: 'grant-role',
      user: `lost-a-${instanceId}`,
      role: 'lost-a',
    });
    expect(report.failure?.error).toMatchObject({
      code: 'locked',
      message: expect.stringMatching(/^lost the apply lock/),
    });
    expect(report.remaining.map((c) => c.op)).toEqual(['grant-role', 'add-user', 'grant-role']);
    expect(sent).toBe(1);
    expect(users).toContain(`lost-a-${instanceId}`);
    expect(users).not.toContain(`lost-b-${instanceId}`);
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
      expect(besidesWarnings(run.stderr)).toBe(
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

describe('apply through the CLI: the JSON report, and certificate-only users', () => {
  let cluster: EtcdCluster;
  let client: Etcd3;
  let policy: string;

  beforeAll(async () => {
    cluster = await startEtcdCluster();
    client = await rootClient(cluster);
    policy = policyFile(cluster, 'calico-kubernetes-simple.yaml', 'policy.yaml');
  });

  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  });

  it('reports as JSON the changes plan --json listed, and an empty report once converged', () => {
    // Act
    const plan = warden(cluster, ['plan', policy, '--json']);
    const apply = warden(cluster, ['apply', policy, '--yes', '--json']);
    const again = warden(cluster, ['apply', policy, '--yes', '--json']);

    // Assess: only JSON on stdout; a phase's changes are acknowledged in any order.
    const byText = (a: ChangeJson, b: ChangeJson): number =>
      JSON.stringify(a).localeCompare(JSON.stringify(b));
    const planned = (JSON.parse(plan.stdout) as { changes: ChangeJson[] }).changes;
    const report = JSON.parse(apply.stdout) as { applied: ChangeJson[] };
    expect(besidesWarnings(apply.stderr)).toBe('');
    expect(apply.code).toBe(0);
    expect(planned).toHaveLength(12);
    expect({ ...report, applied: report.applied.toSorted(byText) }).toEqual({
      planned,
      applied: planned.toSorted(byText),
      remaining: [],
      converged: true,
      // The installed etcd 3.4.23 predates the fix of nested transactions bypassing RBAC.
      warnings: expect.arrayContaining([expect.stringMatching(/GHSA-rfx7-8w68-q57q.*fixed in 3\.4\.42$/)]),
    });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      planned: [],
      applied: [],
      remaining: [],
      converged: true,
    });
  });

  it('creates users no password logs in as, by the CLI and the core, while their certificates work', async () => {
    // Prepare: users made by the CLI and by the core's etcd backend in this process, and one made
    // by hand with a password, which shows that a password login is possible on this cluster.
    const apply = warden(cluster, ['apply', policy, '--yes']);
    const viaEtcd3 = await applyPolicy(
      policyOf({ users: { root: ['root'], 'made-by-etcd3': ['calico'] } }),
      etcdBackend(client, 'root'),
      { identity: 'root' },
    );
    cluster.etcdctl('user', 'add', 'made-by-hand:s3cret');
    const logIn = (name: string, password: string): Promise<string> =>
      client.auth.authenticate({ name, password }).then(
        () => `${name} logged in`,
        (error: Error) => `${name} refused: ${error.message}`,
      );

    // Act: etcd's own login (Authenticate), with no password and with one.
    const logins = await Promise.all([
      logIn('calico', ''),
      logIn('calico', 's3cret'),
      logIn('kube-apiserver', 'anything'),
      logIn('made-by-etcd3', ''),
      logIn('made-by-etcd3', 's3cret'),
      logIn('made-by-hand', 's3cret'),
    ]);
    const calico = await userClient(cluster, 'calico');
    const byCertificate = await calico
      .put('/calico/felix')
      .value('up')
      .then(() => calico.get('/calico/felix').string())
      .finally(() => calico.close());

    // Assess
    expect(apply.code, apply.stderr).toBe(0);
    expect(viaEtcd3.failure).toBeUndefined();
    expect(viaEtcd3.applied.map((c) => c.op)).toEqual(['add-user', 'grant-role']);
    const noPasswordUser = /refused: .*password was given for no password user/;
    expect(logins.slice(0, 5)).toEqual(Array(5).fill(expect.stringMatching(noPasswordUser)));
    expect(logins[5]).toBe('made-by-hand logged in');
    expect(byCertificate).toBe('up');
  });
});
