// The Secrets Manager policy store issue-cert authorizes against, with the real SDK client against
// the loopback Secrets Manager: what it caches, for how long, and what it never remembers.
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WardenError } from '../../shared/errors.js';
import { loadPolicy } from '../../shared/policy/load.js';
import type { Policy } from '../../shared/policy/types.js';
import { secretsManagerPolicyStore } from '../../shared/policystore/secrets-manager-policy-store.js';
import { type FakeSecretsManager, startFakeSecretsManager } from '../support/secretsmanager-server.js';
import { POLICY_TEXT, policySecretString } from './bundles.js';

const SECRET = 'warden/policy';
const NEWER = POLICY_TEXT.replace('etcd-warden test CA', 'etcd-warden test CA (newer)');
const CACHE_SECONDS = 60;

let sm: FakeSecretsManager;
let client: SecretsManagerClient;
/** The store's clock, moved by the tests. */
let clock: number;

const open = () =>
  secretsManagerPolicyStore(SECRET, { client, cacheSeconds: CACHE_SECONDS, now: () => clock });
const reads = () => sm.requests.filter((r) => r.operation === 'GetSecretValue').length;
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error) => (error instanceof WardenError ? error.code : `unexpected ${String(error)}`),
  );

/** Sets the secret's new current version, as another writer would. */
const putSecretString = async (SecretString: string) =>
  (await client.send(new PutSecretValueCommand({ SecretId: SECRET, SecretString }))).VersionId;

/** Stores `text` as the policy's new version, as another apply-rbac run would. */
const putVersion = (text: string) => putSecretString(policySecretString(text));
/** What apply-rbac saves: the validated policy and its text. */
const applied = (text: string) => ({ policy: loadPolicy(text, 'policy.yaml').policy as Policy, text });

beforeAll(async () => {
  sm = await startFakeSecretsManager();
  client = new SecretsManagerClient({
    endpoint: sm.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    maxAttempts: 1,
  });
  sm.createEmpty(SECRET);
});

beforeEach(async () => {
  clock = 1_000_000;
  sm.forceNotFound(false);
  await putVersion(POLICY_TEXT);
  sm.requests.length = 0;
});

afterAll(async () => {
  client?.destroy();
  await sm?.close();
});

describe('secretsManagerPolicyStore', () => {
  it('reads once within the cache time, however many load at once', async () => {
    // Prepare
    const store = open();
    // Act
    const together = await Promise.all([store.load(), store.load(), store.load()]);
    clock += (CACHE_SECONDS - 1) * 1000;
    const later = await store.load();
    // Assess
    expect(reads()).toBe(1);
    expect(new Set([...together, later]).size).toBe(1);
    expect(later.text).toBe(POLICY_TEXT);
    expect(later.policy.users.app?.roles).toEqual(['app-rw']);
  });

  it('keeps the cached version while a newer one is stored elsewhere, and reads it after the cache time', async () => {
    // Prepare
    const store = open();
    const first = await store.load();
    const newerVersion = await putVersion(NEWER);
    // Act
    const cached = await store.load();
    clock += CACHE_SECONDS * 1000;
    const refreshed = await store.load();
    // Assess
    expect(cached.version).toBe(first.version);
    expect(cached.text).toBe(POLICY_TEXT);
    expect(refreshed.version).toBe(newerVersion);
    expect(refreshed.text).toBe(NEWER);
    expect(refreshed.policy.ca.commonName).toBe('etcd-warden test CA (newer)');
    expect(reads()).toBe(2);
  });

  it('with a cache time of 0 reads on every load', async () => {
    // Prepare
    const store = secretsManagerPolicyStore(SECRET, { client, cacheSeconds: 0, now: () => clock });
    // Act
    await store.load();
    await store.load();
    // Assess
    expect(reads()).toBe(2);
  });

  it('reads its own save at the next load, as a new version', async () => {
    // Prepare
    const store = open();
    const first = await store.load();
    // Act
    const saved = await store.save(applied(NEWER));
    const next = await store.load();
    // Assess
    expect(saved).toBeTruthy();
    expect(saved).not.toBe(first.version);
    expect(next).toMatchObject({ version: saved, text: NEWER });
    expect(JSON.parse(sm.valueOf(SECRET) as string)).toEqual({
      format: 'etcd-warden-policy/v2',
      text: NEWER,
      policy: JSON.parse(JSON.stringify(applied(NEWER).policy)),
    });
    // The first load, the fresh look at the current version before writing, the load after.
    expect(reads()).toBe(3);
  });

  it('adds no version when the policy saved is the current one', async () => {
    // Prepare
    const store = open();
    const current = await store.load();
    const versionsBefore = sm.requests.filter((r) => r.operation === 'PutSecretValue').length;
    // Act
    const saved = await store.save(applied(POLICY_TEXT));
    // Assess
    expect(saved).toBe(current.version);
    expect(sm.requests.filter((r) => r.operation === 'PutSecretValue').length).toBe(versionsBefore);
    expect((await store.load()).version).toBe(current.version);
  });

  it('does not remember a failed read: the next load asks again', async () => {
    // Prepare
    const store = open();
    sm.forceNotFound(true);
    // Act
    const failed = await codeOf(store.load());
    sm.forceNotFound(false);
    const recovered = await store.load();
    // Assess
    expect(failed).toBe('not-found');
    expect(recovered.text).toBe(POLICY_TEXT);
    expect(reads()).toBe(2);
  });

  it('answers unavailable (retryable) when Secrets Manager throttles', async () => {
    // Prepare
    const store = open();
    sm.throttleNext(1);
    // Act
    const failure = await store.load().catch((error: unknown) => error);
    // Assess
    expect(failure).toBeInstanceOf(WardenError);
    expect(failure).toMatchObject({ code: 'unavailable', retryable: true });
    expect((failure as Error).message).toMatch(/ThrottlingException/);
  });

  it('refuses a secret that holds something else, the earlier YAML-only format, and a policy of another shape', async () => {
    // Prepare
    await putSecretString('{"format": "something-else"}');
    const notPolicy = await open()
      .load()
      .catch((e: unknown) => e);
    await putSecretString(JSON.stringify({ format: 'etcd-warden-policy/v1', policy: POLICY_TEXT }));
    const earlier = await open()
      .load()
      .catch((e: unknown) => e);
    const wrongShape = JSON.parse(policySecretString(POLICY_TEXT));
    wrongShape.policy.users.app.roles = 'app-rw';
    await putSecretString(JSON.stringify(wrongShape));
    // Act
    const reshaped = await open()
      .load()
      .catch((e: unknown) => e);
    // Assess
    expect(notPolicy).toMatchObject({
      code: 'internal',
      message: `secretsmanager://${SECRET} does not hold an etcd-warden policy (format etcd-warden-policy/v2)`,
    });
    expect(earlier).toMatchObject({
      code: 'internal',
      message: expect.stringMatching(
        /earlier format etcd-warden-policy\/v1 \(YAML only\); apply the policy again/,
      ),
    });
    expect(reshaped).toMatchObject({
      code: 'internal',
      message: `secretsmanager://${SECRET} does not hold a resolved etcd-warden policy: $.users.app.roles is not a list`,
    });
  });

  it('refuses to save a policy of another shape, and stores nothing', async () => {
    // Prepare
    const store = open();
    const before = sm.valueOf(SECRET);
    const broken = applied(POLICY_TEXT);
    // Act
    const refused = await codeOf(
      store.save({ ...broken, policy: { ...broken.policy, auth: 'sometimes' } as unknown as Policy }),
    );
    // Assess
    expect(refused).toBe('internal');
    expect(sm.valueOf(SECRET)).toBe(before);
    expect(sm.requests.filter((r) => r.operation === 'PutSecretValue')).toEqual([]);
  });

  it('creates the secret at the first save when it does not exist', async () => {
    // Prepare
    const store = secretsManagerPolicyStore('warden/policy-new', { client });
    const before = await codeOf(store.load());
    // Act
    const version = await store.save(applied(POLICY_TEXT));
    const after = await store.load();
    // Assess
    expect(before).toBe('not-found');
    expect(after).toMatchObject({ version, text: POLICY_TEXT });
    expect(sm.requests.map((r) => r.operation)).toEqual([
      'GetSecretValue',
      'GetSecretValue',
      'PutSecretValue',
      'CreateSecret',
      'GetSecretValue',
    ]);
  });
});
