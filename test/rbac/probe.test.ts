// The write probe `verify` relies on: a transaction whose write sits in a branch that never runs.
// etcd must check that branch's permissions anyway, and must not execute it.
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdBackend } from '../../shared/etcd/backend.js';
import { probeAccess } from '../../shared/etcd/probe.js';
import { applyPolicy } from '../../shared/rbac/apply.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { rootClient, userClient } from './cluster-client.js';
import { policyOf, prefix } from './policy-fixtures.js';

describe('write probe without execution', () => {
  let cluster: EtcdCluster;
  let root: Etcd3;
  let reader: Etcd3;
  let writer: Etcd3;

  beforeAll(async () => {
    cluster = await startEtcdCluster();
    root = await rootClient(cluster);
    const policy = policyOf({
      roles: { ro: [prefix('/ro/', 'read')], rw: [prefix('/rw/', 'readwrite')] },
      users: { root: ['root'], reader: ['ro'], writer: ['rw'] },
    });
    const report = await applyPolicy(policy, etcdBackend(root, 'root'), { identity: 'root' });
    if (report.failure || report.remaining.length) throw new Error('setup apply failed');
    await root.put('/ro/x').value('before');
    await root.put('/rw/x').value('before');
    reader = await userClient(cluster, 'reader');
    writer = await userClient(cluster, 'writer');
  });

  afterAll(async () => {
    for (const c of [reader, writer, root]) c?.close();
    await cluster?.stop();
  });

  const txnAs = (client: Etcd3, request: Parameters<Etcd3['kv']['txn']>[0]) =>
    client.kv.txn(request).then(
      (r) => ({ ok: true as const, succeeded: r.succeeded }),
      (e: Error) => ({ ok: false as const, error: e.message }),
    );

  it('etcd refuses a write in the branch that does not run (failure branch, empty compare)', async () => {
    // Prepare
    const put = { request_put: { key: Buffer.from('/ro/x'), value: Buffer.from('changed') } };

    // Act
    const result = await txnAs(reader, { compare: [], success: [], failure: [put] });

    // Assess
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/permission denied/) });
    expect((await root.get('/ro/x').string()) ?? '').toBe('before');
  });

  it('etcd refuses a write in the branch that does not run (success branch, false compare)', async () => {
    // Prepare: the reader may read /ro/x, so the compare itself is allowed and is false.
    const put = { request_put: { key: Buffer.from('/ro/x'), value: Buffer.from('changed') } };
    const never = {
      key: Buffer.from('/ro/x'),
      target: 'Value' as const,
      result: 'Equal' as const,
      value: Buffer.from('no such value'),
    };

    // Act
    const result = await txnAs(reader, { compare: [never], success: [put], failure: [] });
    const control = await txnAs(reader, { compare: [never], success: [], failure: [] });

    // Assess
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/permission denied/) });
    expect(control).toEqual({ ok: true, succeeded: false });
    expect(await root.get('/ro/x').string()).toBe('before');
  });

  it('allows the probe for a writer and changes nothing: same value, same revision', async () => {
    // Prepare
    const before = await root.get('/rw/x').exec();

    // Act
    const single = await probeAccess(writer, 'write', Buffer.from('/rw/x'), Buffer.alloc(0));
    const range = await probeAccess(writer, 'write', Buffer.from('/rw/'), Buffer.from('/rw0'));

    // Assess
    const after = await root.get('/rw/x').exec();
    expect([single, range]).toEqual([true, true]);
    expect(after.kvs[0]?.value.toString()).toBe('before');
    expect(after.kvs[0]?.mod_revision).toBe(before.kvs[0]?.mod_revision);
    expect(after.header.revision).toBe(before.header.revision);
  });

  it('reports refusal for reads and writes outside the grants', async () => {
    // Act
    const answers = await Promise.all([
      probeAccess(reader, 'read', Buffer.from('/ro/'), Buffer.from('/ro0')),
      probeAccess(reader, 'write', Buffer.from('/ro/x'), Buffer.alloc(0)),
      probeAccess(reader, 'read', Buffer.from('/ro'), Buffer.alloc(0)),
      probeAccess(reader, 'read', Buffer.from('/rw/x'), Buffer.alloc(0)),
      probeAccess(writer, 'read', Buffer.from([0]), Buffer.from([0])),
    ]);

    // Assess
    expect(answers).toEqual([true, false, false, false, false]);
  });
});
