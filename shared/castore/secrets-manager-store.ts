/**
 * `secretsmanager://SECRET_ID`: the CA in one AWS Secrets Manager secret (name or ARN).
 *
 * Secret format: SecretString holding JSON
 *   {"format": "etcd-warden-ca/v1", "certificate": "<PEM>", "privateKey": "<PKCS#8 PEM>"}
 * One secret holds both so that the pair changes atomically (one version) and one IAM grant
 * covers it.
 *
 * Created once: CreateSecret; if the secret already exists (for example created empty by the
 * infrastructure) its value is set with PutSecretValue only when it holds no CA yet, or when told
 * to overwrite. Reads are cached in the store (default 15 minutes) so a Lambda reads the key once per
 * cold start. Nothing here logs, and errors name the secret and the AWS error, never the value.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { WardenError } from '../errors.js';
import type { CaMaterial } from '../pki/certificate-authority.js';
import type { CaStore } from './ca-store.js';

export const SECRET_FORMAT = 'etcd-warden-ca/v1';

export interface SecretsManagerStoreOptions {
  client?: SecretsManagerClient;
  cacheSeconds?: number;
  now?: () => number;
}

const DEFAULT_CACHE_SECONDS = 15 * 60;

const errorName = (error: unknown): string => (error as { name?: string }).name ?? 'Error';

// The region of an ARN ("arn:aws:secretsmanager:eu-west-1:…"), so an ARN works without AWS_REGION.
const regionOf = (secretId: string): string | undefined =>
  /^arn:[^:]+:secretsmanager:([^:]+):/.exec(secretId)?.[1];

export function secretsManagerCaStore(secretId: string, options: SecretsManagerStoreOptions = {}): CaStore {
  const url = `secretsmanager://${secretId}`;
  const region = regionOf(secretId);
  const client = options.client ?? new SecretsManagerClient(region ? { region } : {});
  const cacheMs = (options.cacheSeconds ?? DEFAULT_CACHE_SECONDS) * 1000;
  const now = options.now ?? Date.now;
  let cached: { at: number; material: Promise<CaMaterial> } | undefined;

  const failure = (action: string, error: unknown): WardenError => {
    const name = errorName(error);
    if (name === 'ResourceNotFoundException')
      return new WardenError('not-found', `no CA in ${url}: run \`etcd-warden ca init --ca-store ${url}\``);
    if (
      name === 'ThrottlingException' ||
      name === 'TooManyRequestsException' ||
      name === 'InternalServiceError'
    ) {
      return new WardenError(
        'unavailable',
        `Secrets Manager ${action} ${secretId} was refused for now (${name}); try again`,
        true,
      );
    }
    if (name === 'AccessDeniedException')
      return new WardenError('forbidden', `not allowed to ${action} ${secretId} (AccessDeniedException)`);
    return new WardenError('unavailable', `Secrets Manager ${action} ${secretId} failed (${name})`, true);
  };

  /** The CA in the secret, undefined when it has no value yet, an error when it holds something else. */
  async function fetch(): Promise<CaMaterial | undefined> {
    let text: string | undefined;
    try {
      text = (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
    } catch (error) {
      // A secret that exists without any value answers ResourceNotFoundException too.
      if (errorName(error) === 'ResourceNotFoundException') return undefined;
      throw failure('read', error);
    }
    return decode(text);
  }

  function decode(text: string | undefined): CaMaterial {
    const notCa = new WardenError(
      'invalid-input',
      `${url} does not hold an etcd-warden CA (expected JSON with format ${SECRET_FORMAT})`,
    );
    let value: unknown;
    try {
      value = JSON.parse(text ?? '');
    } catch {
      throw notCa;
    }
    const v = value as { format?: unknown; certificate?: unknown; privateKey?: unknown };
    if (v?.format !== SECRET_FORMAT || typeof v.certificate !== 'string' || typeof v.privateKey !== 'string')
      throw notCa;
    return { certificatePem: v.certificate, privateKeyPem: v.privateKey };
  }

  function load(): Promise<CaMaterial> {
    if (cached && now() - cached.at < cacheMs) return cached.material;
    const material = fetch().then((m) => {
      if (!m) throw failure('read', { name: 'ResourceNotFoundException' });
      return m;
    });
    cached = { at: now(), material };
    // A failed read is not remembered: the next call asks again.
    material.catch(() => {
      if (cached?.material === material) cached = undefined;
    });
    return material;
  }

  async function exists(): Promise<boolean> {
    try {
      return (await fetch()) !== undefined;
    } catch (error) {
      // Something that is not a CA still occupies the secret.
      if (error instanceof WardenError && error.code === 'invalid-input') return true;
      throw error;
    }
  }

  return {
    url,
    load,
    exists,
    loadCertificate: async () => (await load()).certificatePem,
    async create(material, options = {}) {
      const SecretString = JSON.stringify({
        format: SECRET_FORMAT,
        certificate: material.certificatePem,
        privateKey: material.privateKeyPem,
      });
      try {
        await client.send(
          new CreateSecretCommand({
            Name: secretId,
            SecretString,
            Description: 'etcd-warden CA certificate and private key',
          }),
        );
      } catch (error) {
        if (errorName(error) !== 'ResourceExistsException') throw failure('create', error);
        if (!options.overwrite && (await exists())) {
          throw new WardenError(
            'conflict',
            `${url} already holds a value; refusing to overwrite it (use --force to replace it)`,
          );
        }
        try {
          await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString }));
        } catch (putError) {
          throw failure('write', putError);
        }
      }
      cached = undefined;
    },
  };
}
