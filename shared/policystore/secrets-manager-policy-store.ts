/**
 * The last applied policy in one AWS Secrets Manager secret, a new version per apply.
 *
 * Secret format: SecretString holding JSON {"format": "etcd-warden-policy/v1", "policy": "<YAML>"}.
 * The infrastructure creates the secret empty; the first save puts a value into it (or creates it
 * when it does not exist). Reads are cached (default 5 minutes) so issue-cert reads it about once
 * per cold start, and a failed read is not remembered. Errors name the secret and the AWS error.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { WardenError } from '../errors.js';
import { type PolicyStore, parseStoredPolicy, type StoredPolicy } from './policy-store.js';

export const POLICY_SECRET_FORMAT = 'etcd-warden-policy/v1';

export interface SecretsManagerPolicyStoreOptions {
  client?: SecretsManagerClient;
  cacheSeconds?: number;
  now?: () => number;
}

const DEFAULT_CACHE_SECONDS = 5 * 60;

const errorName = (error: unknown): string => (error as { name?: string }).name ?? 'Error';

const regionOf = (secretId: string): string | undefined =>
  /^arn:[^:]+:secretsmanager:([^:]+):/.exec(secretId)?.[1];

export function secretsManagerPolicyStore(
  secretId: string,
  options: SecretsManagerPolicyStoreOptions = {},
): PolicyStore {
  const url = `secretsmanager://${secretId}`;
  const region = regionOf(secretId);
  const client = options.client ?? new SecretsManagerClient(region ? { region } : {});
  const cacheMs = (options.cacheSeconds ?? DEFAULT_CACHE_SECONDS) * 1000;
  const now = options.now ?? Date.now;
  let cached: { at: number; stored: Promise<StoredPolicy> } | undefined;

  const failure = (action: string, error: unknown): WardenError => {
    const name = errorName(error);
    if (name === 'ResourceNotFoundException') {
      return new WardenError('not-found', `no policy applied yet: ${url} holds none`);
    }
    if (name === 'AccessDeniedException') {
      return new WardenError('forbidden', `not allowed to ${action} ${secretId} (AccessDeniedException)`);
    }
    return new WardenError('unavailable', `Secrets Manager ${action} ${secretId} failed (${name})`, true);
  };

  async function fetch(): Promise<StoredPolicy> {
    let response: { SecretString?: string; VersionId?: string };
    try {
      response = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    } catch (error) {
      throw failure('read', error);
    }
    let value: { format?: unknown; policy?: unknown } | undefined;
    try {
      value = JSON.parse(response.SecretString ?? '');
    } catch {
      value = undefined;
    }
    if (value?.format !== POLICY_SECRET_FORMAT || typeof value.policy !== 'string') {
      throw new WardenError(
        'internal',
        `${url} does not hold an etcd-warden policy (format ${POLICY_SECRET_FORMAT})`,
      );
    }
    return parseStoredPolicy(value.policy, url, response.VersionId);
  }

  return {
    url,
    load() {
      if (cached && now() - cached.at < cacheMs) return cached.stored;
      const stored = fetch();
      cached = { at: now(), stored };
      stored.catch(() => {
        if (cached?.stored === stored) cached = undefined;
      });
      return stored;
    },
    async save(text) {
      parseStoredPolicy(text, url);
      cached = undefined;
      // The current version, read afresh (the cache may be older than another instance's save).
      const current = await fetch().catch(() => undefined);
      if (current?.text === text) return current.version;
      const SecretString = JSON.stringify({ format: POLICY_SECRET_FORMAT, policy: text });
      try {
        return (await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString }))).VersionId;
      } catch (error) {
        if (errorName(error) !== 'ResourceNotFoundException') throw failure('write', error);
      }
      try {
        const created = await client.send(
          new CreateSecretCommand({
            Name: secretId,
            SecretString,
            Description: 'etcd-warden: the policy apply-rbac last applied',
          }),
        );
        return created.VersionId;
      } catch (error) {
        throw failure('create', error);
      }
    },
  };
}
