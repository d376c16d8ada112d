// The built Lambda bundles (node build.mjs first), staged and loaded as the Lambda runtime runs them,
// each load a fresh cold start; and what the tests judge them by: logs, leaks, Secrets Manager reads.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import type { HttpEvent } from '../../functions/http.js';
import { localContext } from '../../functions/local-invocation.js';
import { createCa, nodePkiContext } from '../../shared/pki/index.js';
import { loadPolicy } from '../../shared/policy/load.js';
import type { Policy } from '../../shared/policy/types.js';
import { POLICY_SECRET_FORMAT } from '../../shared/policystore/index.js';
import { REPO } from '../support/cli.js';
import type { FakeSecretsManager } from '../support/secretsmanager-server.js';

export const POLICY_TEXT = readFileSync(new URL('fixtures/policy.yaml', import.meta.url), 'utf8');
export const POLICY = loadPolicy(POLICY_TEXT, 'policy.yaml').policy as Policy;
export const fixture = <T = Record<string, unknown>>(name: string): T =>
  JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')) as T;

/** What the Lambda Node.js runtime puts beside a function: LAMBDA_RUNTIME_PACKAGES in build.mjs. */
const RUNTIME_SCOPES = ['@aws-sdk', '@smithy'];
const stagedDirs: string[] = [];
const nodeRequire = createRequire(import.meta.url);

/**
 * Loads an ES module with Node's own resolution (require of an ES module, Node >= 20.19). vitest's
 * import() resolves bare imports from the repository's node_modules wherever the file is, so a
 * bundle with a stray external import would still load through it.
 */
export const importNatively = <T>(file: string): T => nodeRequire(file) as T;

/**
 * Stages dist/functions/NAME as Lambda runs it: a fresh folder holding the bundle and a node_modules
 * with only the SDK (links to the repository's), then loads it there. Any other package the bundle
 * left external fails to load. Each call is a new cold start; removeStagedBundles() cleans up. The
 * handler takes the event and, unless given one, a context as Lambda's (a fresh request id each call).
 */
export function stageBundle<T>(name: 'issue-cert' | 'apply-rbac'): { handler: T; dir: string } {
  const built = join(REPO, 'dist/functions', name);
  if (!existsSync(join(built, 'index.mjs')))
    throw new Error(`${built}/index.mjs is missing: run node build.mjs`);
  const dir = mkdtempSync(join(tmpdir(), `warden-lambda-${name}-`));
  stagedDirs.push(dir);
  cpSync(built, dir, { recursive: true });
  mkdirSync(join(dir, 'node_modules'));
  for (const scope of RUNTIME_SCOPES) {
    symlinkSync(join(REPO, 'node_modules', scope), join(dir, 'node_modules', scope), 'dir');
  }
  const loaded = importNatively<{ handler: (event: unknown, context: Context) => unknown }>(
    join(dir, 'index.mjs'),
  ).handler;
  // Lambda passes a context with a fresh request id to every invocation; so does this.
  const handler = (event: unknown, context: Context = localContext(name)) => loaded(event, context);
  return { handler: handler as T, dir };
}

export function removeStagedBundles(): void {
  for (const dir of stagedDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Sets (or, for undefined, unsets) environment variables while `fn` runs, then restores them. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const assign = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  assign(vars);
  try {
    return await fn();
  } finally {
    assign(before);
  }
}

/** A recorded HTTP event (function URL or HTTP API fixture) from `caller` (null: no identity) with this body. */
export function httpEvent(fixtureName: string, body: unknown, caller: string | null): HttpEvent {
  const event = fixture<HttpEvent & { requestContext: { authorizer?: { iam: { userArn?: string } } } }>(
    fixtureName,
  );
  if (caller === null) delete event.requestContext.authorizer;
  else if (event.requestContext.authorizer) event.requestContext.authorizer.iam.userArn = caller;
  event.body = typeof body === 'string' ? body : JSON.stringify(body);
  return event;
}

/** The real SDK client, configured from `env` as the bundles configure theirs from process.env. */
const secretsClient = (env: NodeJS.ProcessEnv) =>
  new SecretsManagerClient({
    endpoint: env.AWS_ENDPOINT_URL_SECRETS_MANAGER as string,
    region: env.AWS_REGION as string,
    credentials: {
      accessKeyId: env.AWS_ACCESS_KEY_ID as string,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string,
    },
  });

/** A policy secret's value as apply-rbac writes it: the resolved policy beside its text. */
export function policySecretString(policyText: string): string {
  const { policy } = loadPolicy(policyText, 'policy.yaml');
  if (!policy) throw new Error('policySecretString: the text does not validate');
  return JSON.stringify({ format: POLICY_SECRET_FORMAT, text: policyText, policy });
}

/** Puts a new CA and the given policy into the Secrets Manager at `endpoint`, as ca init and apply-rbac do. */
export async function seedSecrets(
  env: NodeJS.ProcessEnv,
  ca?: { certificatePem: string; privateKeyPem: string },
  policyText = POLICY_TEXT,
) {
  const material = ca ?? (await createCa(POLICY.ca, nodePkiContext()));
  const client = secretsClient(env);
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
      new PutSecretValueCommand({ SecretId: 'warden/policy', SecretString: policySecretString(policyText) }),
    );
  }
  client.destroy();
  return { caPem: material.certificatePem, caKeyPem: material.privateKeyPem };
}

/** Stores `policyText` as the policy secret's new current version, as another apply-rbac run would. */
export const storePolicyVersion = (env: NodeJS.ProcessEnv, policyText: string): Promise<string> =>
  storePolicySecret(env, policySecretString(policyText));

/** Puts `secretString` into the policy secret as its new current version, whatever it holds. */
export async function storePolicySecret(env: NodeJS.ProcessEnv, secretString: string): Promise<string> {
  const client = secretsClient(env);
  try {
    const put = new PutSecretValueCommand({ SecretId: 'warden/policy', SecretString: secretString });
    return (await client.send(put)).VersionId as string;
  } finally {
    client.destroy();
  }
}

/** The secret ids of every GetSecretValue the fake answered, in order. */
export const secretReads = (sm: FakeSecretsManager): unknown[] =>
  sm.requests.filter((r) => r.operation === 'GetSecretValue').map((r) => r.body.SecretId);

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

export type LogLine = { level: string; event: string } & Record<string, unknown>;

/** The functions' log: one JSON object per line; anything else fails the test. */
export function logLines(out: string): LogLine[] {
  return out
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        throw new Error(`not a JSON log line: ${line.slice(0, 120)}`);
      }
    });
}

/** A V8 stack frame, "at fn (file:1:2)" or "at file:1:2", alone on its line. */
const STACK_FRAME = /^\s*at .+:\d+:\d+\)?$/m;

/**
 * Where a stack trace or key material appears in parsed JSON (a response, a result, log lines):
 * "PATH: stack frame" / "PATH: private key" for every string holding one, at any depth. The JSON
 * text itself cannot be searched for frames: JSON escapes the newlines before them.
 */
export function findLeaks(value: unknown, path = '$'): string[] {
  if (typeof value === 'string') {
    return [
      ...(value.includes('\n    at ') || STACK_FRAME.test(value) ? [`${path}: stack frame`] : []),
      ...(value.includes('PRIVATE KEY') ? [`${path}: private key`] : []),
    ];
  }
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([name, inner]) =>
    findLeaks(inner, Array.isArray(value) ? `${path}[${name}]` : `${path}.${name}`),
  );
}
