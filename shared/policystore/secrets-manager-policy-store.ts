/**
 * The last applied policy in one AWS Secrets Manager secret, a new version per apply.
 *
 * Secret format: SecretString holding JSON
 *   {"format": "etcd-warden-policy/v2", "text": "<YAML>", "policy": <the resolved policy>}
 * `policy` is what readers decide from (its shape is checked on every read: resolved-json.ts), so
 * issue-cert never parses YAML; `text` is the file as applied. A secret in any other format,
 * including v1 (YAML only), is refused with a message that says to apply again.
 *
 * The infrastructure creates the secret empty; the first save puts a value into it (or creates it
 * when it does not exist). Reads are cached (default 5 minutes) so issue-cert reads it about once
 * per cold start, and a failed read is not remembered. The client and the errors are shared/aws's.
 */
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import {
  awsErrorName,
  cachedRead,
  type SecretsManagerStoreOptions,
  secretAccess,
} from '../aws/secrets-manager.js';
import { WardenError } from '../errors.js';
import { resolvedPolicyFromJson } from '../policy/resolved-json.js';
import type { PolicyStore, StoredPolicy } from './policy-store.js';

export const POLICY_SECRET_FORMAT = 'etcd-warden-policy/v2';
const EARLIER_FORMAT = 'etcd-warden-policy/v1';

const DEFAULT_CACHE_SECONDS = 5 * 60;

export function secretsManagerPolicyStore(
  secretId: string,
  options: SecretsManagerStoreOptions = {},
): PolicyStore {
  const url = `secretsmanager://${secretId}`;
  const secret = secretAccess(
    secretId,
    () => new WardenError('not-found', `no policy applied yet: ${url} holds none`),
    options,
  );

  function decode(text: string | undefined, version: string | undefined): StoredPolicy {
    let value: { format?: unknown; text?: unknown; policy?: unknown } | undefined;
    try {
      value = JSON.parse(text ?? '');
    } catch {
      value = undefined;
    }
    if (value?.format === EARLIER_FORMAT)
      throw new WardenError(
        'internal',
        `${url} holds a policy in the earlier format ${EARLIER_FORMAT} (YAML only); apply the policy again to store it as ${POLICY_SECRET_FORMAT}`,
      );
    if (value?.format !== POLICY_SECRET_FORMAT || typeof value.text !== 'string')
      throw new WardenError(
        'internal',
        `${url} does not hold an etcd-warden policy (format ${POLICY_SECRET_FORMAT})`,
      );
    return {
      policy: resolvedPolicyFromJson(value.policy, url),
      text: value.text,
      ...(version === undefined ? {} : { version }),
    };
  }

  async function fetch(): Promise<{ stored: StoredPolicy; raw: string }> {
    const current = await secret.read();
    if (!current) throw secret.failure('read', { name: 'ResourceNotFoundException' });
    return { stored: decode(current.text, current.version), raw: current.text ?? '' };
  }

  const cache = cachedRead(async () => (await fetch()).stored, {
    cacheSeconds: options.cacheSeconds ?? DEFAULT_CACHE_SECONDS,
    ...(options.now ? { now: options.now } : {}),
  });

  return {
    url,
    load: cache.load,
    async save({ policy, text }) {
      const SecretString = JSON.stringify({ format: POLICY_SECRET_FORMAT, text, policy });
      // What issue-cert will read back must pass its check: refuse to store anything that would not.
      decode(SecretString, undefined);
      cache.forget();
      // The current version, read afresh (the cache may be older than another instance's save).
      const current = await fetch().catch(() => undefined);
      if (current?.raw === SecretString) return current.stored.version;
      try {
        const put = await secret.client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString }));
        return put.VersionId;
      } catch (error) {
        if (awsErrorName(error) !== 'ResourceNotFoundException') throw secret.failure('write', error);
      }
      try {
        const created = await secret.client.send(
          new CreateSecretCommand({
            Name: secretId,
            SecretString,
            Description: 'etcd-warden: the policy apply-rbac last applied',
          }),
        );
        return created.VersionId;
      } catch (error) {
        throw secret.failure('create', error);
      }
    },
  };
}
