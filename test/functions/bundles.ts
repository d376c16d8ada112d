// Loads the built Lambda bundles (npm run build first), each import a fresh cold start.
import { existsSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { createCa, nodePkiContext } from '../../shared/pki/index.js';
import { loadPolicy } from '../../shared/policy/load.js';
import type { Policy } from '../../shared/policy/types.js';
import { REPO } from '../support/cli.js';

export const POLICY_TEXT = readFileSync(new URL('fixtures/policy.yaml', import.meta.url), 'utf8');
export const POLICY = loadPolicy(POLICY_TEXT, 'policy.yaml').policy as Policy;
export const fixture = <T = Record<string, unknown>>(name: string): T =>
  JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')) as T;

let cold = 0;
export async function loadBundle<T>(
  name: 'issue-cert' | 'apply-rbac',
  dir = `${REPO}/dist/functions/${name}`,
) {
  const file = `${dir}/index.mjs`;
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run build`);
  const module = (await import(`${pathToFileURL(file).href}?cold=${++cold}`)) as { handler: T };
  return module.handler;
}

/** Puts a new CA and the given policy into the Secrets Manager at `endpoint`, as ca init and apply-rbac do. */
export async function seedSecrets(
  env: NodeJS.ProcessEnv,
  ca?: { certificatePem: string; privateKeyPem: string },
  policyText = POLICY_TEXT,
) {
  const material = ca ?? (await createCa(POLICY.ca, nodePkiContext()));
  const client = new SecretsManagerClient({
    endpoint: env.AWS_ENDPOINT_URL_SECRETS_MANAGER as string,
    region: env.AWS_REGION as string,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string,
    },
  });
  await client.send(
    new CreateSecretCommand({
      Name: 'warden/ca',
      SecretString: JSON.stringify({
        format: 'etcd-warden-ca/v1',
        certificate: material.certificatePem,
        privateKey: material.privateKeyPem,
      }),
    }),
  );
  await client.send(new CreateSecretCommand({ Name: 'warden/policy' }));
  if (policyText) {
    await client.send(
      new PutSecretValueCommand({
        SecretId: 'warden/policy',
        SecretString: JSON.stringify({ format: 'etcd-warden-policy/v1', policy: policyText }),
      }),
    );
  }
  client.destroy();
  return { caPem: material.certificatePem, caKeyPem: material.privateKeyPem };
}

/** Everything written to stdout while `fn` runs (the functions log there, as on Lambda). */
export async function capturingStdout<T>(fn: () => Promise<T>): Promise<{ result: T; out: string }> {
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await fn(), out };
  } finally {
    process.stdout.write = write;
  }
}
