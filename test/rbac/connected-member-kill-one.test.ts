// The only member of a one-member cluster SIGKILLed under a CLI apply at 8 seeded points
// (fault-support.ts, killTheConnectedMember): the apply never exits 0 unless etcd matches the
// policy, and always ends with a summary line or an error line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { killTheConnectedMember } from './fault-support.js';

describe('the one member an apply is connected to, SIGKILLed mid-apply', () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcdCluster();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('one member of one: at 8 seeded points, exit 0 only when etcd matches the policy', async () => {
    const { failed, outcomes } = await killTheConnectedMember(cluster, () => 0, 20_261_204, 8);
    // Most kills must have cut the apply short, or the test proves nothing.
    expect(failed, outcomes.join('\n')).toBeGreaterThanOrEqual(4);
  }, 150_000);
});
