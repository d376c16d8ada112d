/**
 * The one Secrets Manager setup for both stores that live in a secret (the CA store and the policy
 * store): the client (an ARN's own region, so an ARN works without AWS_REGION; otherwise the SDK's
 * region and credential chain), what an AWS error becomes, and the cached read, which never
 * remembers a failure. Errors name the secret and the AWS error's name, never the secret's value.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { WardenError } from '../errors.js';

export interface SecretsManagerStoreOptions {
  /** A client of the caller's (tests point one at a loopback endpoint). */
  client?: SecretsManagerClient;
  /** How long a read is reused. */
  cacheSeconds?: number;
  now?: () => number;
}

export interface SecretAccess {
  readonly client: SecretsManagerClient;
  /** The current SecretString and VersionId; undefined when the secret does not exist or has no value. */
  read(): Promise<{ text: string | undefined; version: string | undefined } | undefined>;
  /** The WardenError for a failed call; a missing secret is the store's own `notFound` error. */
  failure(action: string, error: unknown): WardenError;
}

export const awsErrorName = (error: unknown): string => (error as { name?: string }).name ?? 'Error';

const regionOf = (secretId: string): string | undefined =>
  /^arn:[^:]+:secretsmanager:([^:]+):/.exec(secretId)?.[1];

const RETRY_LATER = new Set(['ThrottlingException', 'TooManyRequestsException', 'InternalServiceError']);

export function secretAccess(
  secretId: string,
  notFound: () => WardenError,
  options: SecretsManagerStoreOptions = {},
): SecretAccess {
  const region = regionOf(secretId);
  const client = options.client ?? new SecretsManagerClient(region ? { region } : {});
  const failure = (action: string, error: unknown): WardenError => {
    const name = awsErrorName(error);
    if (name === 'ResourceNotFoundException') return notFound();
    if (name === 'AccessDeniedException')
      return new WardenError('forbidden', `not allowed to ${action} ${secretId} (AccessDeniedException)`);
    if (RETRY_LATER.has(name))
      return new WardenError(
        'unavailable',
        `Secrets Manager ${action} ${secretId} was refused for now (${name}); try again`,
        true,
      );
    return new WardenError('unavailable', `Secrets Manager ${action} ${secretId} failed (${name})`, true);
  };
  return {
    client,
    failure,
    async read() {
      try {
        const response = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
        return { text: response.SecretString, version: response.VersionId };
      } catch (error) {
        // A secret that exists without any value answers ResourceNotFoundException too.
        if (awsErrorName(error) === 'ResourceNotFoundException') return undefined;
        throw failure('read', error);
      }
    },
  };
}

/**
 * `read` reused for `cacheSeconds` (concurrent callers share one read); a failed read is not
 * remembered, so the next call asks again. `forget()` drops what is cached (after a write).
 */
export function cachedRead<T>(
  read: () => Promise<T>,
  options: { cacheSeconds: number; now?: () => number },
): { load(): Promise<T>; forget(): void } {
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheSeconds * 1000;
  let cached: { at: number; value: Promise<T> } | undefined;
  return {
    load() {
      if (cached && now() - cached.at < cacheMs) return cached.value;
      const value = read();
      cached = { at: now(), value };
      value.catch(() => {
        if (cached?.value === value) cached = undefined;
      });
      return value;
    },
    forget() {
      cached = undefined;
    },
  };
}
