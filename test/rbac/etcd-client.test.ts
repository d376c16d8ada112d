// The etcd adapter (etcd3 underneath) against real etcd: reads give the live state etcdctl sees,
// exact permission bytes, auth on and off; every kind of change lands as planned, revocations
// included (etcd3's own Role.revoke grants instead); a dead first endpoint; etcd's refusals as
// errors a person can act on; changes retried after a lost answer find themselves done.
import { readFileSync } from 'node:fs';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyChange } from '../../shared/etcd/apply-change.js';
import { acquireApplyLock } from '../../shared/etcd/apply-lock.js';
import { authReads } from '../../shared/etcd/auth-reads.js';
import { etcdBackend } from '../../shared/etcd/backend.js';
import { connectEtcd, type EtcdConnection } from '../../shared/etcd/connect.js';
import { createIfAbsent, grantLease } from '../../shared/etcd/lock-transport.js';
import { readAuthState } from '../../shared/etcd/read-auth-state.js';
import { createCa, issueClientCertificate, nodePkiContext } from '../../shared/pki/index.js';
import { applyPolicy } from '../../shared/rbac/apply.js';
import { planChanges } from '../../shared/rbac/plan.js';
import { type EtcdCluster, sleep, startEtcdCluster } from '../support/etcd-cluster.js';
import { rootClient } from './cluster-client.js';
import { key, policyOf, prefix, range } from './policy-fixtures.js';

describe('the etcd adapter against etcd', () => {
  let cluster: EtcdCluster;
  let client: Etcd3;
  let connection: EtcdConnection;

  beforeAll(async () => {
    cluster = await startEtcdCluster();
    client = await rootClient(cluster);
    connection = {
      endpoints: cluster.endpoints,
      caPem: cluster.caPem,
      certPem: readFileSync(cluster.root.cert, 'utf8'),
      keyPem: readFileSync(cluster.root.key, 'utf8'),
      callTimeoutMs: 3_000,
    };
    // Every kind of range, binary key bytes, every access, users with none, one and two roles.
    await client.auth.roleAdd({ name: 'kinds' });
    const perms = [
      { permType: 'Read', key: Buffer.from('/one/key'), range_end: Buffer.alloc(0) },
      { permType: 'Write', key: Buffer.from('/prefix/'), range_end: Buffer.from('/prefix0') },
      { permType: 'Readwrite', key: Buffer.from('/from/'), range_end: Buffer.from([0]) },
      {
        permType: 'Read',
        key: Buffer.from([0x2f, 0xff, 0x00, 0x80]),
        range_end: Buffer.from([0x2f, 0xff, 0x01]),
      },
    ] as const;
    for (const perm of perms) await client.auth.roleGrantPermission({ name: 'kinds', perm });
    await client.auth.roleAdd({ name: 'empty' });
    await client.auth.userAdd({ name: 'root', options: { no_password: true } } as never);
    await client.auth.userGrantRole({ user: 'root', role: 'root' });
    await client.auth.userAdd({ name: 'none', options: { no_password: true } } as never);
    await client.auth.userAdd({ name: 'two', options: { no_password: true } } as never);
    await client.auth.userGrantRole({ user: 'two', role: 'kinds' });
    await client.auth.userGrantRole({ user: 'two', role: 'empty' });
  });

  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  });

  it('reads the live state byte for byte, with auth off and on, the same from every member', async () => {
    // Act
    const off = await readAuthState(client);
    await client.auth.authEnable();
    const on = await readAuthState(client);
    await client.auth.authDisable();

    // Assess
    expect({ ...off, authEnabled: true }).toEqual(on);
    expect(off.authEnabled).toBe(false);
    expect(on.authEnabled).toBe(true);
    expect(on.roles.get('kinds')).toEqual([
      { key: Buffer.from('/from/'), rangeEnd: Buffer.from([0]), access: 'readwrite' },
      { key: Buffer.from('/one/key'), rangeEnd: Buffer.alloc(0), access: 'read' },
      { key: Buffer.from('/prefix/'), rangeEnd: Buffer.from('/prefix0'), access: 'write' },
      {
        key: Buffer.from([0x2f, 0xff, 0x00, 0x80]),
        rangeEnd: Buffer.from([0x2f, 0xff, 0x01]),
        access: 'read',
      },
    ]);
    expect(on.users.get('two')).toEqual(['empty', 'kinds']);
    expect(on.users.get('none')).toEqual([]);
    expect(on.roles.has('root')).toBe(false);
  });

  it('moves on to the next endpoint when the first refuses connections', async () => {
    // Prepare: nothing listens on port 1.
    const failover = await connectEtcd({
      ...connection,
      endpoints: ['https://127.0.0.1:1', ...cluster.endpoints],
    });

    // Act: etcd3 picks hosts in a random order; enough calls that some go to the dead one first.
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => authReads(failover).userNames()),
    ).finally(() => failover.close());
    const users = [...new Set(answers.map((a) => a.join()))];

    // Assess
    expect(users).toEqual(['none,root,two']);
  });

  it('reports an unreachable cluster as unavailable within the call budget', async () => {
    // Prepare
    const dead = await connectEtcd({ ...connection, endpoints: ['https://127.0.0.1:1'], callTimeoutMs: 500 });
    const started = Date.now();

    // Act
    const error = await readAuthState(dead)
      .catch((e: unknown) => e)
      .finally(() => dead.close());

    // Assess
    expect(error).toMatchObject({
      code: 'unavailable',
      retryable: true,
      message: expect.stringMatching(/^cannot reach etcd while reading the auth state: .*ECONNREFUSED/),
    });
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('refuses a server whose certificate the given CA did not sign', async () => {
    // Prepare: trust another CA than the one that signed the etcd member's certificate.
    const other = await createCa(
      {
        commonName: 'some other CA',
        key: 'ecdsa-p256',
        validitySeconds: 86_400,
        maxTtlSeconds: 86_400,
        revoked: [],
      },
      nodePkiContext(),
    );
    const untrusting = await connectEtcd({
      ...connection,
      caPem: other.certificatePem,
      callTimeoutMs: 1_000,
    });

    // Act
    const error = await readAuthState(untrusting)
      .catch((e: unknown) => e)
      .finally(() => untrusting.close());

    // Assess
    expect(error).toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/^cannot reach etcd while reading the auth state: .*certificate/),
    });
  });

  it("turns etcd's refusal of a user without the root role into a forbidden error", async () => {
    // Prepare: auth on, and a certificate for "none", which holds no role.
    await client.auth.authEnable();
    const issued = await issueClientCertificate(cluster.ca, 'none', nodePkiContext(), 600);
    const asNone = await connectEtcd({
      ...connection,
      certPem: issued.certificatePem,
      keyPem: issued.privateKeyPem,
    });

    // Act
    const raw = await authReads(asNone)
      .userNames()
      .catch((e: unknown) => e);
    const error = await readAuthState(asNone)
      .catch((e: unknown) => e)
      .finally(async () => {
        asNone.close();
        await client.auth.authDisable();
      });

    // Assess
    expect(raw).toBeInstanceOf((await import('etcd3')).EtcdPermissionDeniedError);
    expect(error).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/permission denied/) });
  });

  it('sends every kind of change so that etcd ends exactly where the plan says, then undoes it', async () => {
    // Prepare: roles with each kind of range and access, then a policy that revokes, deletes and
    // turns auth on, then one that turns it off again.
    const grow = policyOf({
      roles: {
        w1: [prefix('/w1/'), key('/w1-config', 'write'), range('/a', '/b', 'read')],
        w2: [prefix('/w2/', 'read')],
        w3: [key('/w3')],
      },
      users: { root: ['root'], wu1: ['w1', 'w2'], wu2: ['w2'] },
      auth: 'disabled',
    });
    const shrink = policyOf({
      roles: { w1: [prefix('/w1/', 'read')], w2: [prefix('/w2/', 'read')] },
      users: { root: ['root'], wu1: ['w1'], two: ['kinds', 'empty'], none: [] },
      prune: false,
      auth: 'enabled',
    });
    shrink.roles.kinds = { name: 'kinds', permissions: [] };
    shrink.roles.empty = { name: 'empty', permissions: [] };
    const backend = etcdBackend(client, 'root');
    const before = await readAuthState(client);

    // Act
    const grown = await applyPolicy(grow, backend, { identity: 'root', concurrency: 8 });
    const afterGrow = await readAuthState(client);
    const shrunk = await applyPolicy({ ...shrink, prune: true }, backend, {
      identity: 'root',
      concurrency: 8,
    });
    const afterShrink = await readAuthState(client);
    const off = await applyPolicy({ ...shrink, prune: true, auth: 'disabled' }, backend, {
      identity: 'root',
    });

    // Assess: each apply converged, as read back.
    expect(before.roles.has('w1')).toBe(false);
    expect(grown.remaining).toEqual([]);
    expect(grown.applied.map((c) => c.op)).toContain('grant-permission');
    expect(planChanges(grow, afterGrow)).toEqual([]);
    expect(new Set(shrunk.applied.map((c) => c.op))).toEqual(
      new Set([
        'grant-permission',
        'revoke-role',
        'revoke-permission',
        'delete-user',
        'delete-role',
        'enable-auth',
      ]),
    );
    expect(shrunk.remaining).toEqual([]);
    expect(afterShrink.authEnabled).toBe(true);
    expect(afterShrink.roles.get('w1')).toEqual([
      { key: Buffer.from('/w1/'), rangeEnd: Buffer.from('/w10'), access: 'read' },
    ]);
    expect(afterShrink.roles.get('kinds')).toEqual([]);
    expect([...afterShrink.users.keys()].sort()).toEqual(['none', 'root', 'two', 'wu1']);
    expect(off.applied.map((c) => c.op)).toEqual(['disable-auth']);
    expect((await readAuthState(client)).authEnabled).toBe(false);
  });

  it('finds a change already done (a retry after a lost answer) to be done, and passes other refusals on', async () => {
    // Prepare: every kind of change a plan holds, in plan order.
    const changes = [
      { op: 'add-role', role: 'again' },
      { op: 'add-user', user: 'again-user' },
      { op: 'grant-role', user: 'again-user', role: 'again' },
      {
        op: 'grant-permission',
        role: 'again',
        key: Buffer.from('/a'),
        rangeEnd: Buffer.from('/b'),
        access: 'read',
      },
      {
        op: 'revoke-permission',
        role: 'again',
        key: Buffer.from('/a'),
        rangeEnd: Buffer.from('/b'),
        access: 'read',
      },
      { op: 'revoke-role', user: 'again-user', role: 'again' },
      { op: 'delete-user', user: 'again-user' },
      { op: 'delete-role', role: 'again' },
    ] as const;

    // Act: each sent, then sent again at once, as a retry after an attempt whose answer was lost.
    const retried: string[] = [];
    for (const change of changes) {
      await applyChange(client, change);
      retried.push(
        await applyChange(client, change).then(
          () => 'done',
          (e: Error) => e.message,
        ),
      );
    }
    const missing = applyChange(client, {
      op: 'grant-role',
      user: 'nobody-has-this-name',
      role: 'kinds',
    }).catch((e: unknown) => e);

    // Assess: the grants are etcd's own no-ops; the rest are answers that say it is done.
    expect(retried).toEqual(changes.map(() => 'done'));
    const after = await readAuthState(client);
    expect(after.roles.has('again')).toBe(false);
    expect(after.users.has('again-user')).toBe(false);
    expect(await missing).toMatchObject({ message: expect.stringMatching(/user name not found/) });
  });

  it('keeps the apply lock past its TTL, refuses a second holder by name, and frees it on release', async () => {
    // Prepare
    const holder = { identity: 'root', host: 'here', pid: 1, since: 'now' };
    const lock = await acquireApplyLock(client, holder, { ttlSeconds: 2 });

    // Act: outlive the TTL, then try a second holder, release, and try again.
    await sleep(3_000);
    const lostWhileHeld = lock.lost();
    const second = await acquireApplyLock(client, { ...holder, pid: 2 }).catch((e: unknown) => e);
    await lock.release();
    const third = await acquireApplyLock(client, { ...holder, pid: 3 }, { ttlSeconds: 2 });
    await third.release();

    // Assess
    expect(lostWhileHeld).toBeUndefined();
    expect(second).toMatchObject({
      code: 'locked',
      message: expect.stringMatching(/"root" on here \(pid 1\)/),
    });
    expect(third.lost()).toBeUndefined();
    expect(cluster.etcdctl('get', '__etcd-warden/apply-lock', '--print-value-only').trim()).toBe('');
  });

  it("finds the lock key its own after a retry of the write, and another holder's when bound to another lease", async () => {
    // Prepare: the write is sent once and its answer, say, lost.
    const mine = await grantLease(client, 5);
    const theirs = await grantLease(client, 5);
    await createIfAbsent(client, 'retry-lock', 'mine', mine);

    // Act
    const retried = await createIfAbsent(client, 'retry-lock', 'mine', mine);
    const other = await createIfAbsent(client, 'retry-lock', 'theirs', theirs);
    await Promise.all([mine.revoke(), theirs.revoke()]);

    // Assess
    expect(retried).toEqual({ created: true, current: 'mine' });
    expect(other).toEqual({ created: false, current: 'mine' });
  });

  it('reports the lease lost once etcd no longer has it', async () => {
    // Prepare
    const lease = await grantLease(client, 2);

    // Act: someone revokes it; the next renewal (every third of the TTL) finds it gone.
    await client.leaseClient.leaseRevoke({ ID: lease.id });
    await sleep(1_500);
    const lost = lease.lost();
    await lease.revoke();

    // Assess
    expect(lost?.message).toMatch(/the lease expired/);
  });
});
