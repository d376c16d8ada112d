// The HTTP/2 auth reads (no etcd3) against real etcd: the same live state the etcd3 client reads,
// exact permission bytes, auth on and off, a dead first endpoint, and etcd's refusals as errors a
// person can act on. Plus the protobuf wire format they rest on.
import { readFileSync } from 'node:fs';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthReads, wireAuthReads } from '../../shared/etcd/auth-reads.js';
import type { EtcdConnection } from '../../shared/etcd/connect.js';
import {
  type GrpcChannel,
  GrpcCode,
  GrpcStatusError,
  openGrpcChannel,
} from '../../shared/etcd/grpc-channel.js';
import { decodeFields, encodeMessage, repeatedBytes } from '../../shared/etcd/protobuf-wire.js';
import { readAuthState } from '../../shared/etcd/read-auth-state.js';
import { issueClientCertificate, nodePkiContext } from '../../shared/pki/index.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { rootClient } from './cluster-client.js';

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
    expect((fields[0]?.[1] as Buffer).toString('utf8')).toBe('rôle');
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
});
