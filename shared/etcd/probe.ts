// Asking etcd whether the connected user may read or write keys, without changing any data.
// Reads count keys (no values cross the wire). Writes go in the failure branch of a transaction
// with no comparisons: an empty comparison succeeds, so that branch never runs, yet etcd checks
// the permissions of both branches before running either (test/rbac/probe.test.ts proves it).
import type { Etcd3 } from 'etcd3';
import type { Operation } from '../rbac/probes.js';
import { loadEtcd3 } from './etcd3-runtime.js';

export async function probeAccess(
  client: Etcd3,
  operation: Operation,
  key: Buffer,
  rangeEnd: Buffer,
): Promise<boolean> {
  try {
    if (operation === 'read') {
      await client.kv.range({ key, range_end: rangeEnd, count_only: true });
    } else {
      const neverRun =
        rangeEnd.length === 0
          ? { request_put: { key, value: Buffer.from('etcd-warden probe: never written') } }
          : { request_delete_range: { key, range_end: rangeEnd } };
      await client.kv.txn({ compare: [], success: [], failure: [neverRun] });
    }
    return true;
  } catch (error) {
    if (error instanceof (await loadEtcd3()).EtcdPermissionDeniedError) return false;
    throw error;
  }
}
