// The bootstrap apply of a fresh cluster (add root, grant it the root role, ..., enable auth)
// killed with SIGKILL at seeded points, root at stake at each: then an apply through the CLI
// converges, root holds the root role, and root's certificate can still do everything. The
// killed apply is killable-applier.ts, one change in flight: the CLI sends each phase at once, so
// SIGKILLs from outside after 1..23 reported changes of such a plan left only 5 distinct states.
// One cluster serves every point, reset to a fresh cluster's auth state between them.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAuthEnabled, readAuthState } from '../../shared/etcd/read-auth-state.js';
import { planChanges } from '../../shared/rbac/plan.js';
import { simulate } from '../../shared/rbac/simulate.js';
import { besidesWarnings } from '../support/cli.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { warden } from './cli-env.js';
import { rootClient } from './cluster-client.js';
import {
  buildKillableApplier,
  policyIn,
  runKillableApplier,
  seeded,
  whatRootCanDo,
} from './fault-support.js';
import { EMPTY } from './policy-fixtures.js';

/**
 * A fresh cluster's first policy. Root sorts between the other users, so the plan adds users and
 * grants roles on both sides of root's own add and grant; auth is enabled last.
 */
const BOOTSTRAP_POLICY = `version: 1
auth: enabled
prune: true
roles:
  ingest:
    - { prefix: /ingest/, access: readwrite }
    - { key: /config/ingest, access: read }
  query:
    - { prefix: /ingest/, access: read }
    - { key: /config/query, access: read }
  reports:
    - { prefix: /reports/, access: readwrite }
    - { prefix: /ingest/, access: read }
users:
  alice:
    roles: [reports]
  bob:
    roles: [query]
  root:
    roles: [root]
  svc-ingest:
    roles: [ingest]
  svc-query:
    roles: [query]
`;

/** Back to a fresh cluster's auth state, the cluster reused: auth off, no users, no roles. */
async function resetToFresh(client: Etcd3): Promise<void> {
  if (await isAuthEnabled(client)) await client.auth.authDisable();
  const state = await readAuthState(client);
  await Promise.all([...state.users.keys()].map((name) => client.auth.userDelete({ name })));
  await Promise.all([...state.roles.keys()].map((role) => client.auth.roleDelete({ role })));
}

describe('bootstrap apply of a fresh cluster killed with SIGKILL at seeded points', () => {
  let cluster: EtcdCluster;
  let client: Etcd3;
  let applier: string;
  let file: string;

  beforeAll(async () => {
    cluster = await startEtcdCluster();
    applier = await buildKillableApplier(cluster.dir);
    client = await rootClient(cluster);
    file = join(cluster.dir, 'bootstrap.yaml');
    writeFileSync(file, BOOTSTRAP_POLICY);
  });

  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  });

  it('converges with root intact after each of 12 kill points across the plan, auth enabled included', async () => {
    // Prepare: the points where root is at stake (just added without its role, just granted it,
    // everything done but auth, auth enabled but never confirmed), then seeded others up to 12.
    const policy = policyIn(file);
    const plan = planChanges(policy, EMPTY);
    const rootAdded = plan.findIndex((c) => c.op === 'add-user' && c.user === 'root') + 1;
    const rootGranted = plan.findIndex((c) => c.op === 'grant-role' && c.user === 'root') + 1;
    const atStake = [rootAdded, rootGranted, plan.length - 1, plan.length];
    const random = seeded(20_261_202);
    const others = Array.from({ length: plan.length + 1 }, (_, k) => k).filter((k) => !atStake.includes(k));
    for (let i = others.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [others[i], others[j]] = [others[j] as number, others[i] as number];
    }
    const killPoints = [...atStake, ...others.slice(0, 12 - atStake.length)].sort((a, b) => a - b);

    for (const killAfter of killPoints) {
      const round = `killed after ${killAfter} of ${plan.length} changes`;
      const fresh = await readAuthState(client);

      // Act
      const killed = await runKillableApplier(applier, cluster, file, killAfter);
      const afterKill = await readAuthState(client);
      const rootAfterKill = await whatRootCanDo(client, `${round}, before converging`);
      const converge = warden(cluster, ['apply', file, '--yes', '--lock-timeout', '10s']);
      const afterConverge = await readAuthState(client);
      const rootAfterConverge = await whatRootCanDo(client, round);
      await resetToFresh(client);

      // Assess: the crash happened exactly there, so the rest of the plan is what is left to do.
      expect(fresh, round).toEqual(EMPTY);
      expect(killed, round).toMatchObject({ signal: 'SIGKILL', stderr: '', timedOut: false });
      expect(planChanges(policy, afterKill), round).toEqual(plan.slice(killAfter));
      const rootRolesSoFar = simulate(EMPTY, plan.slice(0, killAfter)).users.get('root');
      expect(rootAfterKill, round).toBe(
        `read back "${round}, before converging"; root holds ${JSON.stringify(rootRolesSoFar)}`,
      );
      expect(besidesWarnings(converge.stderr), round).toBe('');
      expect(converge.code, round).toBe(0);
      expect(converge.stdout, round).toMatch(
        killAfter === plan.length
          ? /^No changes: etcd matches the policy\.\n$/
          : new RegExp(`\\nApplied ${plan.length - killAfter} changes; etcd now matches the policy\\.\\n$`),
      );
      expect(afterConverge.authEnabled, round).toBe(true);
      expect(planChanges(policy, afterConverge), round).toEqual([]);
      expect(rootAfterConverge, round).toBe(`read back "${round}"; root holds ["root"]`);
    }
    expect(new Set(killPoints).size, killPoints.join()).toBe(12);
  }, 120_000);
});
