// CA stores: the file adapter on a real directory, the Secrets Manager adapter through the real
// AWS SDK against a loopback server speaking the service's JSON protocol.
import { chmodSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  fileCaStore,
  openCaStore,
  SECRET_FORMAT,
  secretsManagerCaStore,
} from '../../shared/castore/index.js';
import { type CaMaterial, createCa, loadCa, nodePkiContext } from '../../shared/pki/index.js';
import { scratch } from '../support/openssl.js';
import {
  type FakeSecretsManager,
  fakeAwsEnv,
  startFakeSecretsManager,
} from '../support/secretsmanager-server.js';
import { caSpec } from './fixtures.js';

const ctx = nodePkiContext();
let material: CaMaterial;
let other: CaMaterial;

beforeAll(async () => {
  const a = await createCa(caSpec(), ctx);
  const b = await createCa(caSpec('ecdsa-p384'), ctx);
  material = { certificatePem: a.certificatePem, privateKeyPem: a.privateKeyPem };
  other = { certificatePem: b.certificatePem, privateKeyPem: b.privateKeyPem };
});

describe('file store', () => {
  const dirs: { remove(): void }[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) d.remove();
  });
  const newDir = () => {
    const s = scratch();
    dirs.push(s);
    return s;
  };

  it('writes the key 0600 in a 0700 directory and reads back the same CA', async () => {
    // Prepare
    const dir = join(newDir().dir, 'ca');
    const store = fileCaStore(dir);

    // Act
    const before = await store.exists();
    await store.create(material);
    const loaded = await fileCaStore(dir).load();

    // Assess
    expect(before).toBe(false);
    expect(await store.exists()).toBe(true);
    expect(loaded).toEqual(material);
    expect(statSync(join(dir, 'ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'ca.pem')).mode & 0o777).toBe(0o644);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(loadCa(loaded, ctx).commonName).toBe('test CA ecdsa-p256');
  });

  it('refuses to overwrite an existing CA unless told', async () => {
    // Prepare
    const s = newDir();
    const store = fileCaStore(s.dir);
    await store.create(material);

    // Act
    const refused = store.create(other);
    await expect(refused).rejects.toMatchObject({ code: 'conflict' });
    const unchanged = await store.load();
    await store.create(other, { overwrite: true });

    // Assess
    await expect(refused).rejects.toThrow(
      `a CA already exists in file://${s.dir}; refusing to overwrite it (use --force to replace it)`,
    );
    expect(unchanged).toEqual(material);
    expect(await store.load()).toEqual(other);
  });

  it('reports a missing CA and refuses a key file others can read', async () => {
    // Prepare
    const s = newDir();
    const store = fileCaStore(s.dir);
    const empty = fileCaStore(join(s.dir, 'nothing'));
    await store.create(material);
    chmodSync(join(s.dir, 'ca-key.pem'), 0o644);

    // Act
    const missing = empty.load();
    const exposed = store.load();

    // Assess
    await expect(missing).rejects.toMatchObject({ code: 'not-found' });
    await expect(missing).rejects.toThrow('run `etcd-warden ca init`');
    await expect(exposed).rejects.toThrow(
      `ca-key.pem is readable by others (mode 644); run \`chmod 600 ${join(s.dir, 'ca-key.pem')}\``,
    );
    expect(await store.loadCertificate()).toBe(material.certificatePem);
  });

  it('opens file:// URLs relative to the working directory and refuses unknown schemes', () => {
    // Act
    const relative = openCaStore('file://.etcd-warden', { cwd: '/srv/x' });
    const unknown = () => openCaStore('s3://bucket/key');

    // Assess
    expect(relative.url).toBe('file:///srv/x/.etcd-warden');
    expect(unknown).toThrow(
      'unknown CA store "s3://bucket/key": use file://DIR or secretsmanager://SECRET_ID',
    );
  });
});

describe('Secrets Manager store', () => {
  let fake: FakeSecretsManager;
  const saved: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    fake = await startFakeSecretsManager();
    for (const [k, v] of Object.entries(fakeAwsEnv(fake.endpoint))) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await fake.close();
  });
  afterEach(() => {
    fake.forceNotFound(false);
    fake.throttleNext(0);
    fake.requests.length = 0;
  });

  it('creates the secret once with signed requests and reads it back, cached', async () => {
    // Prepare
    const store = openCaStore('secretsmanager://warden/ca-1');

    // Act
    await store.create(material);
    const reader = openCaStore('secretsmanager://warden/ca-1');
    const first = await reader.load();
    const second = await reader.load();
    const certificate = await reader.loadCertificate();

    // Assess
    expect(first).toEqual(material);
    expect(second).toEqual(material);
    expect(certificate).toBe(material.certificatePem);
    expect(fake.requests.map((r) => r.operation)).toEqual(['CreateSecret', 'GetSecretValue']);
    expect(
      fake.requests.every((r) => r.authorization?.startsWith('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/')),
    ).toBe(true);
    expect(JSON.parse(fake.valueOf('warden/ca-1') as string)).toEqual({
      format: SECRET_FORMAT,
      certificate: material.certificatePem,
      privateKey: material.privateKeyPem,
    });
  });

  it('reads again after the cache time', async () => {
    // Prepare
    let clock = 0;
    await openCaStore('secretsmanager://warden/ca-cache').create(material);
    const store = secretsManagerCaStore('warden/ca-cache', { cacheSeconds: 60, now: () => clock });
    fake.requests.length = 0;

    // Act
    await store.load();
    clock = 59_000;
    await store.load();
    clock = 61_000;
    await store.load();

    // Assess
    expect(fake.requests.map((r) => r.operation)).toEqual(['GetSecretValue', 'GetSecretValue']);
  });

  it('refuses to replace an existing CA unless told, and fills a secret created empty', async () => {
    // Prepare
    const store = openCaStore('secretsmanager://warden/ca-2');
    await store.create(material);
    fake.createEmpty('warden/ca-empty');

    // Act
    const refused = store.create(other);
    await expect(refused).rejects.toMatchObject({ code: 'conflict' });
    const valueAfterRefusal = fake.valueOf('warden/ca-2');
    await store.create(other, { overwrite: true });
    await openCaStore('secretsmanager://warden/ca-empty').create(material);

    // Assess
    await expect(refused).rejects.toThrow(
      'secretsmanager://warden/ca-2 already holds a value; refusing to overwrite it',
    );
    expect(JSON.parse(valueAfterRefusal as string).certificate).toBe(material.certificatePem);
    expect(await openCaStore('secretsmanager://warden/ca-2').load()).toEqual(other);
    expect(await openCaStore('secretsmanager://warden/ca-empty').load()).toEqual(material);
  });

  it('maps not-found, and finds a secret by ARN without AWS_REGION', async () => {
    // Prepare
    await openCaStore('secretsmanager://warden/ca-3').create(material);
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:warden/ca-3-AbCdEf';
    const region = process.env.AWS_REGION;
    delete process.env.AWS_REGION;

    // Act
    const byArn = await openCaStore(`secretsmanager://${arn}`).load();
    process.env.AWS_REGION = region;
    const absent = openCaStore('secretsmanager://warden/nope').load();
    fake.forceNotFound(true);
    const forced = openCaStore('secretsmanager://warden/ca-3').load();
    const exists = await openCaStore('secretsmanager://warden/ca-3').exists();

    // Assess
    expect(byArn).toEqual(material);
    await expect(absent).rejects.toMatchObject({ code: 'not-found', retryable: false });
    await expect(absent).rejects.toThrow(
      'no CA in secretsmanager://warden/nope: run `etcd-warden ca init --ca-store secretsmanager://warden/nope`',
    );
    await expect(forced).rejects.toMatchObject({ code: 'not-found' });
    expect(exists).toBe(false);
  });

  it('rides out one throttling answer and reports persistent throttling as retryable', async () => {
    // Prepare
    await openCaStore('secretsmanager://warden/ca-4').create(material);
    const client = new SecretsManagerClient({ maxAttempts: 2 });

    // Act
    fake.requests.length = 0;
    fake.throttleNext(1);
    const afterOne = await secretsManagerCaStore('warden/ca-4', { client }).load();
    const attemptsAfterOne = fake.requests.length;
    fake.throttleNext(10);
    const persistent = secretsManagerCaStore('warden/ca-4', { client }).load();

    // Assess
    expect(afterOne).toEqual(material);
    expect(attemptsAfterOne).toBe(2);
    await expect(persistent).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    await expect(persistent).rejects.toThrow(
      'Secrets Manager read warden/ca-4 was refused for now (ThrottlingException); try again',
    );
  });

  it('refuses a secret that holds something else, without quoting it', async () => {
    // Prepare
    fake.createEmpty('warden/other');
    const client = new SecretsManagerClient({});
    await client.send(
      new PutSecretValueCommand({ SecretId: 'warden/other', SecretString: 'hunter2-password' }),
    );

    // Act
    const result = openCaStore('secretsmanager://warden/other').load();
    const create = openCaStore('secretsmanager://warden/other').create(material);

    // Assess
    await expect(result).rejects.toThrow(
      `secretsmanager://warden/other does not hold an etcd-warden CA (expected JSON with format ${SECRET_FORMAT})`,
    );
    await expect(result).rejects.not.toThrow('hunter2');
    await expect(create).rejects.toMatchObject({ code: 'conflict' });
  });
});
