import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { besidesWarnings } from '../support/cli.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { warden } from './cli-env.js';
import { APPLY_SUMMARY, applyWhileKilling, seeded, switchingTenants } from './fault-support.js';

/** The index of the member that leads, from etcdctl's status of every endpoint. */
function leaderIndex(cluster: EtcdCluster): number {
  const statuses = cluster.etcdctl('endpoint', 'status', '--write-out=json');
  // IDs are uint64: compared as digits, never as JavaScript numbers.
  const members = [...statuses.matchAll(/"Endpoint":"([^"]+)".*?"member_id":(\d+).*?"leader":(\d+)/g)];
  const leader = members.find(([, , member, lead]) => member === lead);
  if (!leader) throw new Error(`no leader in ${statuses}`);
  return cluster.endpoints.indexOf(leader[1] as string);
}

describe('three members, the leader SIGKILLed mid-apply', () => {
  let cluster: EtcdCluster;
  let files: string[];

  beforeAll(async () => {
    cluster = await startEtcdCluster({ members: 3 });
    files = switchingTenants(cluster, ['alpha', 'beta']);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('completes after each of 5 seeded kill points, once a new leader is elected', async () => {
    const random = seeded(20_261_203);
    const rounds: string[] = [];
    for (let round = 0; round < 5; round++) {
      // Prepare: each round switches tenants, 105 changes; the kill lands within them.
      const file = files[round % 2] as string;
      const killAfter = 1 + Math.floor(random() * 95);
      const leader = leaderIndex(cluster);

      // Act
      const started = Date.now();
      const run = await applyWhileKilling(cluster, [file], killAfter, () =>
        cluster.stopMember(leader, 'SIGKILL'),
      );
      const during = `round ${round}: leader ${leader} killed after ${run.killedAt ?? 'the end'} of ${killAfter}; exit ${run.code} in ${Date.now() - started} ms`;
      const plan = warden(cluster, ['plan', file, '--detailed-exitcode']);
      // A member still running must not be started twice: the second one would take its place.
      if (run.killedAt !== undefined) await cluster.startMember(leader);

      // Assess
      rounds.push(during);
      expect(besidesWarnings(run.stderr), during).toBe('');
      expect(run.code, `${during}: ${run.stdout.slice(-300)}`).toBe(0);
      expect(run.stdout, during).toMatch(APPLY_SUMMARY);
      expect(plan.code, `${during}: ${plan.stdout}${plan.stderr}`).toBe(0);
    }
    // The kill must really have landed mid-apply, or the test proves nothing.
    expect(rounds.filter((r) => !r.includes('the end')).length, rounds.join('\n')).toBe(5);
  }, 120_000);
});
