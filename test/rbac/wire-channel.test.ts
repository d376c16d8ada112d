// The HTTP/2 channel (no etcd3) against real etcd: reads give the same live state the etcd3 client
// reads, exact permission bytes, auth on and off; every kind of change lands as planned; a dead
// first endpoint; etcd's refusals as errors a person can act on. Plus the protobuf wire format.
import { readFileSync } from 'node:fs';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendChange } from '../../shared/etcd/apply-change.js';
import { acquireApplyLock } from '../../shared/etcd/apply-lock.js';
import { type AuthReads, wireAuthReads } from '../../shared/etcd/auth-reads.js';
import { etcdBackend } from '../../shared/etcd/backend.js';
import type { EtcdConnection } from '../../shared/etcd/connect.js';
import {
  type GrpcChannel,
  GrpcCode,
  GrpcStatusError,
  openGrpcChannel,
} from '../../shared/etcd/grpc-channel.js';
import { wireLockTransport } from '../../shared/etcd/lock-transport.js';
import { decodeFields, encodeMessage, repeatedBytes } from '../../shared/etcd/protobuf-wire.js';
import { readAuthState } from '../../shared/etcd/read-auth-state.js';
import { createCa, issueClientCertificate, nodePkiContext } from '../../shared/pki/index.js';
import { applyPolicy } from '../../shared/rbac/apply.js';
import { planChanges } from '../../shared/rbac/plan.js';
import { type EtcdCluster, sleep, startEtcdCluster } from '../support/etcd-cluster.js';
import { rootClient } from './cluster-client.js';
import { key, policyOf, prefix, range } from './policy-fixtures.js';

describe('protobuf wire format', () => {
  it('round-trips varints across byte boundaries, strings and bytes, and leaves proto3 defaults out', () => {
    // Prepare
    const big = 2 ** 40 + 5;
    const binary = Buffer.from([0, 0xff, 0x80, 0x2f]);

    // Act
    const encoded = encodeMessage([
      [1, 'rôle'],
      [2, 127],
      [3, 128],
      [4, big],
      [5, binary],
      [6, 0],
      [7, ''],
      [8, Buffer.alloc(0)],
      [300, 'far field'],
    ]);
    const fields = decodeFields(encoded);

    // Assess
    expect(fields.map(([f]) => f)).toEqual([1, 2, 3, 4, 5, 300]);
    expect(String(fields[0]?.[1])).toBe('rôle');
    expect(fields.slice(1, 4).map(([, v]) => v)).toEqual([127, 128, big]);
    expect(fields[4]?.[1]).toEqual(binary);
    expect(repeatedBytes(encoded, 300).map(String)).toEqual(['far field']);
  });

  it('refuses a truncated message instead of reading past its end', () => {
    // Prepare: field 1, length 10, but only 3 bytes follow.
    const truncated = Buffer.from([0x0a, 10, 1, 2, 3]);

    // Act
    const act = () => decodeFields(truncated);

    // Assess
    expect(act).toThrow(/truncated protobuf message/);
  });
});

describe('auth reads over HTTP/2 against etcd', () => {
  let cluster: EtcdCluster;
  let client: Etcd3;
  let connection: EtcdConnection;
  let channel: GrpcChannel;
  let reads: AuthReads;

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
    channel = openGrpcChannel(connection);
    reads = wireAuthReads(channel);
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
    channel?.close();
    client?.close();
    await cluster?.stop();
  });

  it('reads the same live state as the etcd3 client, byte for byte, with auth off and on', async () => {
    // Prepare
    const offByEtcd3 = await readAuthState(client);

    // Act
    const off = await readAuthState(reads);
    await client.auth.authEnable();
    const on = await readAuthState(reads);
    const onByEtcd3 = await readAuthState(client);
    await client.auth.authDisable();

    // Assess
    expect(off).toEqual(offByEtcd3);
    expect(on).toEqual(onByEtcd3);
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
    const failover = openGrpcChannel({
      ...connection,
      endpoints: ['https://127.0.0.1:1', ...cluster.endpoints],
    });

    // Act
    const users = await wireAuthReads(failover)
      .userNames()
      .finally(() => failover.close());

    // Assess
    expect(users).toEqual(['none', 'root', 'two']);
  });

  it('reports an unreachable cluster as unavailable within the call budget', async () => {
    // Prepare
    const dead = openGrpcChannel({ ...connection, endpoints: ['https://127.0.0.1:1'], callTimeoutMs: 500 });
    const started = Date.now();

    // Act
    const error = await readAuthState(wireAuthReads(dead))
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
    const untrusting = openGrpcChannel({ ...connection, caPem: other.certificatePem, callTimeoutMs: 1_000 });

    // Act
    const error = await readAuthState(wireAuthReads(untrusting))
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
    const asNone = openGrpcChannel({
      ...connection,
      certPem: issued.certificatePem,
      keyPem: issued.privateKeyPem,
    });

    // Act
    const raw = await wireAuthReads(asNone)
      .userNames()
      .catch((e: unknown) => e);
    const error = await readAuthState(wireAuthReads(asNone))
      .catch((e: unknown) => e)
      .finally(async () => {
        asNone.close();
        await client.auth.authDisable();
      });

    // Assess
    expect(raw).toBeInstanceOf(GrpcStatusError);
    expect((raw as GrpcStatusError).code).toBe(GrpcCode.PERMISSION_DENIED);
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
    const backend = etcdBackend(channel, 'root');
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

    // Assess: each apply converged, as read back by the etcd3 client.
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

  it('finds an add already done (a retry after a lost answer) to be done, and passes other refusals on', async () => {
    // Prepare
    await sendChange(channel, { op: 'add-role', role: 'again' });

    // Act
    const roleAgain = sendChange(channel, { op: 'add-role', role: 'again' });
    const userAgain = sendChange(channel, { op: 'add-user', user: 'root' });
    const missing = sendChange(channel, {
      op: 'grant-role',
      user: 'nobody-has-this-name',
      role: 'again',
    }).catch((e: unknown) => e);

    // Assess
    await expect(roleAgain).resolves.toBeUndefined();
    await expect(userAgain).resolves.toBeUndefined();
    expect(await missing).toMatchObject({ message: expect.stringMatching(/user name not found/) });
  });

  it('keeps the apply lock past its TTL, refuses a second holder by name, and frees it on release', async () => {
    // Prepare
    const holder = { identity: 'root', host: 'here', pid: 1, since: 'now' };
    const lock = await acquireApplyLock(wireLockTransport(channel), holder, { ttlSeconds: 2 });

    // Act: outlive the TTL, then try a second holder, release, and try again.
    await sleep(3_000);
    const lostWhileHeld = lock.lost();
    const second = await acquireApplyLock(wireLockTransport(channel), { ...holder, pid: 2 }).catch(
      (e: unknown) => e,
    );
    await lock.release();
    const third = await acquireApplyLock(
      wireLockTransport(channel),
      { ...holder, pid: 3 },
      { ttlSeconds: 2 },
    );
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

  it('reports the lease lost once etcd no longer has it', async () => {
    // Prepare
    const lease = await wireLockTransport(channel).grantLease(2);

    // Act: someone revokes it; the next renewal (every third of the TTL) finds it gone.
    await client.leaseClient.leaseRevoke({ ID: lease.id });
    await sleep(1_500);
    const lost = lease.lost();
    await lease.revoke();

    // Assess
    expect(lost?.message).toMatch(/the lease expired/);
  });
});
