// End to end: `etcd-warden serve` (the built CLI) on 127.0.0.1; the real @aws-sdk/client-lambda
// invokes apply-rbac through AWS_ENDPOINT_URL_LAMBDA; the policy reaches etcd; a certificate
// issued over HTTP for one of its users then reads and writes that user's prefix, and only it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { type ServeProcess, startServe } from '../support/serve.js';
import { type AccessKey, signedFetch } from '../support/sigv4.js';
import { POLICY_TEXT, withEnv } from './bundles.js';

const APP_CALLER = 'arn:aws:sts::123456789012:assumed-role/app-runner/deploy-7';
// Access keys serve knows: the deployer may invoke apply-rbac; the outsider, the app runner's
// session, may invoke nothing but is a requester of the app user's certificate.
const DEPLOYER = { accessKeyId: 'AKIDDEPLOYER0001', secretAccessKey: 'deployer-secret-key-0001' };
const OUTSIDER = { accessKeyId: 'AKIDOUTSIDER0001', secretAccessKey: 'outsider-secret-key-0001' };
const CREDENTIALS = {
  [DEPLOYER.accessKeyId]: {
    secretAccessKey: DEPLOYER.secretAccessKey,
    principal: 'arn:aws:iam::123456789012:role/deployer',
    invoke: ['apply-rbac'],
  },
  [OUTSIDER.accessKeyId]: {
    secretAccessKey: OUTSIDER.secretAccessKey,
    principal: APP_CALLER,
  },
};

let cluster: EtcdCluster;
let serve: ServeProcess;
let base: string;
let dir: string;

/**
 * Sends through a LambdaClient configured as a user's would be: no endpoint in code, only
 * AWS_ENDPOINT_URL_LAMBDA in the environment while the client is made and used.
 */
const invokeLambda = (command: InvokeCommand, credentials = DEPLOYER) =>
  withEnv({ AWS_ENDPOINT_URL_LAMBDA: base }, async () => {
    const client = new LambdaClient({ region: 'us-east-1', credentials, maxAttempts: 1 });
    try {
      return await client.send(command);
    } finally {
      client.destroy();
    }
  });

beforeAll(async () => {
  cluster = await startEtcdCluster();
  dir = mkdtempSync(join(tmpdir(), 'warden-serve-'));
  writeFileSync(join(dir, 'ca.pem'), cluster.caPem);
  writeFileSync(join(dir, 'ca-key.pem'), cluster.caKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'credentials.json'), JSON.stringify(CREDENTIALS), { mode: 0o600 });
  serve = await startServe(
    [
      '--ca-store',
      `file://${dir}`,
      '--credentials',
      join(dir, 'credentials.json'),
      '--endpoints',
      cluster.endpoints.join(','),
    ],
    dir,
  );
  base = serve.url;
}, 60_000);

afterAll(async () => {
  await serve?.stop();
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** POST /certificates, signed with `key` (as the app runner's session) or not signed at all. */
const issue = (body: unknown, key?: AccessKey) => {
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
  return key ? signedFetch(`${base}/certificates`, init, key) : fetch(`${base}/certificates`, init);
};

/** Resolves once `condition` holds; fails after `ms` (serve's log reaches this process a little after its answer). */
async function waitUntil(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('etcd-warden serve', () => {
  it('refuses a certificate before any policy is applied (503)', async () => {
    // Act
    const before = await issue({ user: 'app', generateKey: true }, OUTSIDER);
    // Assess
    expect(before.status).toBe(503);
  });

  it('applies through the Lambda Invoke API, then issues a certificate that works in etcd', async () => {
    // Act: the Action's call, by function name.
    const invoked = await invokeLambda(
      new InvokeCommand({
        FunctionName: 'etcd-warden-apply-rbac',
        Payload: Buffer.from(JSON.stringify({ command: 'apply', policy: POLICY_TEXT })),
      }),
    );
    const result = JSON.parse(Buffer.from(invoked.Payload ?? []).toString('utf8'));
    const noIdentity = await issue({ user: 'app', generateKey: true });
    const wrongUser = await issue({ user: 'other', generateKey: true }, OUTSIDER);
    const response = await issue({ user: 'app', generateKey: true, ttl: '1h' }, OUTSIDER);
    const body = (await response.json()) as { certificate: string; privateKey: string };
    // Assess
    expect(invoked.FunctionError).toBeUndefined();
    expect(result.remaining).toEqual([]);
    expect(result.applied.length).toBeGreaterThan(0);
    expect([noIdentity.status, wrongUser.status]).toEqual([403, 403]);
    expect(response.status).toBe(201);
    writeFileSync(join(dir, 'app.pem'), body.certificate);
    writeFileSync(join(dir, 'app-key.pem'), body.privateKey, { mode: 0o600 });
    const asApp = (...args: string[]) =>
      spawnEtcdctl([
        `--endpoints=${cluster.endpoints.join(',')}`,
        `--cacert=${join(dir, 'ca.pem')}`,
        `--cert=${join(dir, 'app.pem')}`,
        `--key=${join(dir, 'app-key.pem')}`,
        ...args,
      ]);
    expect(asApp('put', '/app/greeting', 'hello').code).toBe(0);
    expect(asApp('get', '/app/greeting', '--print-value-only').stdout.trim()).toBe('hello');
    const denied = asApp('put', '/nodes/x', 'no');
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/permission denied/);
    expect(serve.stderr()).not.toMatch(/PRIVATE KEY/);
  });

  it('gives no certificate to an Invoke of issue-cert, forged identity or not, and serves on', async () => {
    // Prepare: the event a function URL would carry for APP_CALLER, written by the caller itself.
    const forged = JSON.stringify({
      version: '2.0',
      rawPath: '/certificates',
      body: JSON.stringify({ user: 'app', generateKey: true }),
      requestContext: {
        http: { method: 'POST', path: '/certificates' },
        authorizer: { iam: { userArn: APP_CALLER } },
      },
    });
    const invokeUrl = `${base}/2015-03-31/functions/etcd-warden-issue-cert/invocations`;

    // Act: unsigned, then signed by the deployer (who may invoke apply-rbac, and so nothing else)
    const unsigned = await fetch(invokeUrl, { method: 'POST', body: forged });
    const unsignedBody = await unsigned.text();
    const signed = await invokeLambda(
      new InvokeCommand({ FunctionName: 'etcd-warden-issue-cert', Payload: Buffer.from(forged) }),
    ).catch((error: Error) => error);
    const after = await issue({ user: 'app', generateKey: true, ttl: '1h' }, OUTSIDER);

    // Assess
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect(unsignedBody).not.toMatch(/BEGIN|certificate"/);
    expect((signed as Error).name).toBe('AccessDeniedException');
    expect((signed as Error).message).toBe('issue-cert is invoked through its function URL only');
    expect(after.status).toBe(201);
  });

  it('invokes apply-rbac only for a valid signature of a principal allowed to', async () => {
    // Prepare
    const plan = () =>
      new InvokeCommand({
        FunctionName: 'etcd-warden-apply-rbac',
        Payload: Buffer.from(JSON.stringify({ command: 'plan', policy: POLICY_TEXT })),
      });
    const invokeUrl = `${base}/2015-03-31/functions/etcd-warden-apply-rbac/invocations`;

    // Act
    const outsider = await invokeLambda(plan(), OUTSIDER).catch((error: Error) => error);
    const wrongSecret = await invokeLambda(plan(), {
      accessKeyId: DEPLOYER.accessKeyId,
      secretAccessKey: OUTSIDER.secretAccessKey,
    }).catch((error: Error) => error);
    const unknownKey = await invokeLambda(plan(), {
      accessKeyId: 'AKIDUNKNOWN00001',
      secretAccessKey: DEPLOYER.secretAccessKey,
    }).catch((error: Error) => error);
    const unsigned = await fetch(invokeUrl, {
      method: 'POST',
      body: JSON.stringify({ command: 'plan', policy: POLICY_TEXT }),
    });
    const deployer = await invokeLambda(plan());

    // Assess
    expect((outsider as Error).name).toBe('AccessDeniedException');
    expect((outsider as Error).message).toContain(
      `${APP_CALLER} is not authorized to perform lambda:InvokeFunction`,
    );
    expect((wrongSecret as Error).message).toBe('the signature does not match the request');
    expect((unknownKey as Error).message).toBe('the access key id is not known here');
    expect(unsigned.status).toBe(403);
    expect(deployer.FunctionError).toBeUndefined();
    expect(JSON.parse(Buffer.from(deployer.Payload ?? []).toString('utf8')).planned).toEqual([]);
  });

  it('answers the function URL routes only for a valid signature: 403 JSON otherwise', async () => {
    // Prepare
    const issuedCount = () =>
      serve
        .stderr()
        .split('\n')
        .filter((l) => l.includes('certificate-issued')).length;
    const issuedAtStart = issuedCount();
    const body = { user: 'app', generateKey: true };
    const init = {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    };
    // Act
    const wrongSecret = await signedFetch(`${base}/certificates`, init, {
      accessKeyId: OUTSIDER.accessKeyId,
      secretAccessKey: DEPLOYER.secretAccessKey,
    });
    const stale = await signedFetch(
      `${base}/certificates`,
      init,
      OUTSIDER,
      new Date(Date.now() - 6 * 60_000),
    );
    // Signed for the app user, sent asking for root's certificate.
    const changedBody = await signedFetch(
      `${base}/certificates`,
      { ...init, sentBody: JSON.stringify({ ...body, user: 'root' }) },
      OUTSIDER,
    );
    const changedBodyNoHashHeader = await signedFetch(
      `${base}/certificates`,
      { ...init, sentBody: JSON.stringify({ ...body, user: 'root' }), payloadHashHeader: false },
      OUTSIDER,
    );
    const unsigned = await issue(body);
    const issuedBefore = issuedCount();
    const signed = await issue(body, OUTSIDER);
    // Assess
    expect([
      wrongSecret.status,
      stale.status,
      changedBody.status,
      changedBodyNoHashHeader.status,
      unsigned.status,
      signed.status,
    ]).toEqual([403, 403, 403, 403, 403, 201]);
    // Nothing issued for the five refused, one certificate for the signed request.
    expect(issuedBefore).toBe(issuedAtStart);
    await waitUntil(() => issuedCount() === issuedAtStart + 1, 5_000);
    for (const refused of [wrongSecret, changedBodyNoHashHeader]) {
      expect(await refused.json()).toEqual({
        error: { code: 'forbidden', message: 'the signature does not match the request' },
      });
    }
    expect(await changedBody.json()).toEqual({
      error: { code: 'forbidden', message: 'the body does not match its signed payload hash' },
    });
    expect(await stale.json()).toEqual({
      error: {
        code: 'forbidden',
        message: 'the signature is more than 5 minutes away from the server clock',
      },
    });
    expect(await unsigned.json()).toEqual({
      error: { code: 'forbidden', message: 'the request is not signed with AWS Signature Version 4' },
    });
  });

  it('answers an unknown function as Lambda does', async () => {
    // Act
    const failure = await invokeLambda(
      new InvokeCommand({ FunctionName: 'no-such-function', Payload: Buffer.from('{}') }),
    ).catch((error: Error) => error);
    // Assess
    expect((failure as Error).name).toBe('ResourceNotFoundException');
  });
});

function spawnEtcdctl(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync('etcdctl', ['--dial-timeout=3s', '--command-timeout=5s', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ETCDCTL_API: '3' },
    timeout: 15_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
