// The v2 adapter against a real etcd 3.4 with --enable-v2: reading the store, sending changes,
// the user's password drawn from the injected randomness and never in what it returns or throws.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyV2Change, readV2State, V2_PASSWORD_BYTES } from '../../shared/etcd/v2-auth.js';
import { v2Http } from '../../shared/etcd/v2-http.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';

describe('the v2 auth adapter (etcd 3.4 with --enable-v2)', () => {
  let cluster: EtcdCluster;
  let v2Cluster: EtcdCluster;

  beforeAll(async () => {
    [cluster, v2Cluster] = await Promise.all([startEtcdCluster(), startEtcdCluster({ enableV2: true })]);
  });

  afterAll(async () => {
    await Promise.all([cluster?.stop(), v2Cluster?.stop()]);
  });

  const httpOf = (c: EtcdCluster) =>
    v2Http({
      endpoints: c.endpoints,
      caPem: c.caPem,
      certPem: readFileSync(c.root.cert, 'utf8'),
      keyPem: readFileSync(c.root.key, 'utf8'),
    });

  it('reads no v2 store from an etcd without --enable-v2', async () => {
    // Act + Assess
    expect(await readV2State(httpOf(cluster))).toBeUndefined();
  });

  it('creates a user with a password of the injected random bytes, then grants its role in a second request', async () => {
    // Prepare
    const http = httpOf(v2Cluster);
    const drawn: number[] = [];
    const randomBytes = (size: number): Buffer => {
      drawn.push(size);
      return Buffer.alloc(size, 7);
    };

    // Act
    await applyV2Change(http, { op: 'v2-add-role', role: 'app' }, randomBytes);
    await applyV2Change(
      http,
      { op: 'v2-grant-path', role: 'app', path: '/app/*', access: 'read' },
      randomBytes,
    );
    await applyV2Change(http, { op: 'v2-add-user', user: 'app' }, randomBytes);
    await applyV2Change(http, { op: 'v2-grant-role', user: 'app', role: 'app' }, randomBytes);
    await applyV2Change(http, { op: 'v2-add-user', user: 'app' }, randomBytes);

    // Assess: 32 bytes drawn for each creation (the second finds the user there and is done)
    expect(drawn).toEqual([V2_PASSWORD_BYTES, V2_PASSWORD_BYTES]);
    const state = await readV2State(http);
    expect(state?.roles.get('app')).toEqual({ read: ['/app/*'], write: [] });
    expect(state?.users.get('app')).toEqual(['app']);
  });

  it('never puts a password in what it throws', async () => {
    // Prepare: a user name etcd refuses
    const http = httpOf(v2Cluster);
    const secret = Buffer.alloc(V2_PASSWORD_BYTES, 9);

    // Act
    const error = await applyV2Change(
      http,
      { op: 'v2-grant-role', user: 'nobody-here', role: 'missing' },
      () => secret,
    ).catch((e: Error) => e);
    const created = await applyV2Change(http, { op: 'v2-add-user', user: 'root' }, () => secret).catch(
      (e: Error) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toContain(secret.toString('base64'));
    expect(String(created)).not.toContain(secret.toString('base64'));
  });
});
