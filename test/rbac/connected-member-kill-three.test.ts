// One member of three, the only endpoint an apply is given, SIGKILLed under a CLI apply at 12
// seeded points (fault-support.ts, killTheConnectedMember): the apply cannot reach the two left,
// and never exits 0 unless etcd matches the policy; it always ends with a summary or an error line.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { killTheConnectedMember, seeded } from './fault-support.js';

describe('the member of three an apply is connected to, SIGKILLed mid-apply', () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcdCluster({ members: 3 });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('one member of three, the only endpoint given: at 12 seeded points, exit 0 only when etcd matches the policy', async () => {
    const victims = seeded(20_261_205);
    const { failed, outcomes } = await killTheConnectedMember(
      cluster,
      () => Math.floor(victims() * 3),
      20_261_206,
      12,
    );
    // Most kills must have cut the apply short, or the test proves nothing.
    expect(failed, outcomes.join('\n')).toBeGreaterThanOrEqual(6);
  }, 180_000);
});
