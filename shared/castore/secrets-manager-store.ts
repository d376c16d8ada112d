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
 * to overwrite. Reads are cached in the store (default 15 minutes) so a Lambda reads the key about
 * once per cold start. Nothing here logs; the client and error handling are shared/aws's.
 */
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import {
  awsErrorName,
  cachedRead,
  type SecretsManagerStoreOptions,
  secretAccess,
} from '../aws/secrets-manager.js';
import { WardenError } from '../errors.js';
import type { CaMaterial } from '../pki/certificate-authority.js';
import type { CaStore } from './ca-store.js';

export const SECRET_FORMAT = 'etcd-warden-ca/v1';

const DEFAULT_CACHE_SECONDS = 15 * 60;

export function secretsManagerCaStore(secretId: string, options: SecretsManagerStoreOptions = {}): CaStore {
  const url = `secretsmanager://${secretId}`;
  const secret = secretAccess(
    secretId,
    () => new WardenError('not-found', `no CA in ${url}: run \`etcd-warden ca init --ca-store ${url}\``),
    options,
  );

  /** The CA in the secret, undefined when it has no value yet, an error when it holds something else. */
  async function fetch(): Promise<CaMaterial | undefined> {
    const current = await secret.read();
    return current && decode(current.text);
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

  const cache = cachedRead(
    async () => {
      const material = await fetch();
      if (!material) throw secret.failure('read', { name: 'ResourceNotFoundException' });
      return material;
    },
    {
      cacheSeconds: options.cacheSeconds ?? DEFAULT_CACHE_SECONDS,
      ...(options.now ? { now: options.now } : {}),
    },
  );

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
    load: cache.load,
    exists,
    loadCertificate: async () => (await cache.load()).certificatePem,
    async create(material, options = {}) {
      const SecretString = JSON.stringify({
        format: SECRET_FORMAT,
        certificate: material.certificatePem,
        privateKey: material.privateKeyPem,
      });
      try {
        await secret.client.send(
          new CreateSecretCommand({
            Name: secretId,
            SecretString,
            Description: 'etcd-warden CA certificate and private key',
          }),
        );
      } catch (error) {
        if (awsErrorName(error) !== 'ResourceExistsException') throw secret.failure('create', error);
        if (!options.overwrite && (await exists())) {
          throw new WardenError(
            'conflict',
            `${url} already holds a value; refusing to overwrite it (use --force to replace it)`,
          );
        }
        try {
          await secret.client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString }));
        } catch (putError) {
          throw secret.failure('write', putError);
        }
      }
      cache.forget();
    },
  };
}
