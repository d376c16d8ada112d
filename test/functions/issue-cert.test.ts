// The built issue-cert bundle, staged as Lambda runs it, with realistic function URL / HTTP API
// events, the real AWS SDK against a loopback Secrets Manager, and certificates judged by openssl.
import { createServer } from 'node:net';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { HttpEvent, HttpResponse } from '../../functions/http.js';
import { localContext } from '../../functions/local-invocation.js';
import { opensslCsr, opensslKey, verify, x509Fields } from '../support/openssl.js';
import {
  type FakeSecretsManager,
  fakeAwsEnv,
  startFakeSecretsManager,
} from '../support/secretsmanager-server.js';
import {
  capturingStdout,
  findLeaks,
  fixture,
  httpEvent,
  logLines,
  POLICY_TEXT,
  removeStagedBundles,
  secretReads,
  seedSecrets,
  stageBundle,
  storePolicySecret,
  storePolicyVersion,
  withEnv,
} from './bundles.js';

type Handler = (event: HttpEvent, context?: Context) => Promise<HttpResponse>;

const ACCT = '123456789012';
const NODE = 'i-0abc12345678def01';
const APP_CALLER = `arn:aws:sts::${ACCT}:assumed-role/app-runner/deploy-7`;
const NODE_CALLER = `arn:aws:sts::${ACCT}:assumed-role/k8s-node/${NODE}`;

let sm: FakeSecretsManager;
let handler: Handler;
let caPem: string;
let caKeyPem: string;
const saved = { ...process.env };

/** A function URL event from the recorded fixture, with this caller and body. */
const post = (body: unknown, caller: string | null = APP_CALLER): HttpEvent =>
  httpEvent('function-url-post-certificates.json', body, caller);

const errorOf = (response: HttpResponse) =>
  JSON.parse(response.body).error as { code: string; message: string };

const csrFor = (cn: string) => opensslCsr(opensslKey('ec:P-256'), `/CN=${cn}`).toString('utf8');

/** An endpoint where nothing listens: connections to it are refused. */
async function refusingEndpoint(): Promise<string> {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

beforeAll(async () => {
  sm = await startFakeSecretsManager();
  Object.assign(process.env, fakeAwsEnv(sm.endpoint), {
    CA_SECRET_ID: 'warden/ca',
    POLICY_SECRET_ID: 'warden/policy',
  });
  ({ caPem, caKeyPem } = await seedSecrets(process.env));
  ({ handler } = stageBundle<Handler>('issue-cert'));
});

afterAll(async () => {
  process.env = saved;
  await sm?.close();
  removeStagedBundles();
});

describe('issue-cert bundle', () => {
  it("writes every line of an invocation with its Lambda context's request id, cold start first", async () => {
    // Prepare: a fresh instance, and two invocations' contexts.
    const { handler: cold } = stageBundle<Handler>('issue-cert');
    const first = localContext('issue-cert');
    const second = localContext('issue-cert');
    // Act: an issue (an audit line) and a refusal (a warning).
    const issued = await capturingStdout(() => cold(post({ user: 'app', csr: csrFor('app') }), first));
    const refused = await capturingStdout(() =>
      cold(post({ user: 'nobody-declared', csr: csrFor('nobody-declared') }), second),
    );
    // Assess
    const fields = (out: string) =>
      logLines(out).map(({ function_request_id, function_name, cold_start }) => ({
        function_request_id,
        function_name,
        cold_start,
      }));
    expect(issued.result.statusCode).toBe(201);
    expect(refused.result.statusCode).toBeGreaterThanOrEqual(400);
    expect(fields(issued.out)).toEqual([
      { function_request_id: first.awsRequestId, function_name: 'issue-cert', cold_start: true },
    ]);
    expect(fields(refused.out)).toEqual([
      { function_request_id: second.awsRequestId, function_name: 'issue-cert', cold_start: false },
    ]);
  });

  it('signs a CSR for a caller the user lists, with an audit line and no key in it', async () => {
    // Prepare
    const csr = csrFor('app');
    // Act
    const { result, out } = await capturingStdout(() => handler(post({ user: 'app', csr, ttl: '1h' })));
    // Assess
    expect(result.statusCode).toBe(201);
    const body = JSON.parse(result.body);
    expect(Object.keys(body).sort()).toEqual(['ca', 'certificate', 'notAfter', 'notBefore', 'serial']);
    expect(body.ca).toBe(caPem);
    expect(verify(caPem, body.certificate, 'sslclient').code).toBe(0);
    expect(x509Fields(body.certificate, ['-subject'])).toMatch(/CN\s*=\s*app/);
    expect(Date.parse(body.notAfter) - Date.now()).toBeLessThanOrEqual(3_600_000);
    const lines = logLines(out);
    expect(lines.find((l) => l.level === 'audit')).toMatchObject({
      event: 'certificate-issued',
      serial: body.serial,
      name: 'app',
      caller: APP_CALLER,
    });
    expect(findLeaks([body, lines])).toEqual([]);
    expect(out).not.toContain(caKeyPem.split('\n')[1]);
  });

  it('generates a key on request and returns it only to that caller', async () => {
    // Act
    const { result, out } = await capturingStdout(() =>
      handler(post({ user: `node-${NODE}`, generateKey: true }, NODE_CALLER)),
    );
    // Assess
    expect(result.statusCode).toBe(201);
    const body = JSON.parse(result.body);
    expect(body.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(x509Fields(body.certificate, ['-subject'])).toMatch(new RegExp(`CN\\s*=\\s*node-${NODE}`));
    expect(findLeaks(logLines(out))).toEqual([]);
  });

  it('serves the CA and the CRL to an HTTP API v2 event', async () => {
    // Prepare
    const event = fixture<HttpEvent>('http-api-get-ca.json');
    const crlEvent = structuredClone(event);
    crlEvent.rawPath = '/crl';
    (crlEvent.requestContext?.http as { path: string }).path = '/crl';
    // Act
    const ca = await handler(event);
    const crl = await handler(crlEvent);
    // Assess
    expect(ca).toMatchObject({ statusCode: 200, body: caPem });
    expect(crl.statusCode).toBe(200);
    expect(crl.body).toMatch(/^-----BEGIN X509 CRL-----/);
  });

  it.each([
    ['malformed JSON', () => post('{"user": "app",'), 400, 'invalid-input'],
    ['a JSON array', () => post('[]'), 400, 'invalid-input'],
    ['a missing user', () => post({ generateKey: true }), 400, 'invalid-input'],
    ['neither csr nor generateKey', () => post({ user: 'app' }), 400, 'invalid-input'],
    [
      'both csr and generateKey',
      () => post({ user: 'app', csr: csrFor('app'), generateKey: true }),
      400,
      'invalid-input',
    ],
    ['an extra field', () => post({ user: 'app', generateKey: true, hosts: ['evil'] }), 400, 'invalid-input'],
    ['a bad ttl', () => post({ user: 'app', generateKey: true, ttl: 'forever' }), 400, 'invalid-input'],
    [
      'a ttl over the policy',
      () => post({ user: 'app', generateKey: true, ttl: '48h' }),
      400,
      'invalid-input',
    ],
    ['a body over 64 KB', () => post({ user: 'app', csr: 'x'.repeat(65 * 1024) }), 413, 'too-large'],
    ['an unknown user', () => post({ user: 'nobody', generateKey: true }), 404, 'not-found'],
    ['a caller allowed for another user', () => post({ user: 'other', generateKey: true }), 403, 'forbidden'],
    [
      'a template caller asking for another instance',
      () => post({ user: 'node-i-0fff12345678def99', generateKey: true }, NODE_CALLER),
      403,
      'forbidden',
    ],
    ['no caller identity', () => post({ user: 'app', generateKey: true }, null), 403, 'forbidden'],
    ['a member', () => post({ user: 'etcd-1', generateKey: true }), 403, 'forbidden'],
    ['a CSR for another name', () => post({ user: 'app', csr: csrFor('root') }), 400, 'invalid-input'],
    [
      'a CSR that is not one',
      () =>
        post({
          user: 'app',
          csr: '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----',
        }),
      400,
      'invalid-input',
    ],
    [
      'a weak RSA key',
      () => post({ user: 'app', csr: opensslCsr(opensslKey('rsa:1024'), '/CN=app').toString('utf8') }),
      400,
      'invalid-input',
    ],
  ])('refuses %s (%s) and issues nothing', async (_what, event, status, code) => {
    // Act
    const { result, out } = await capturingStdout(() => handler(event()));
    // Assess
    expect(result.statusCode).toBe(status);
    expect(errorOf(result).code).toBe(code);
    const lines = logLines(out);
    expect(lines.map((l) => l.event)).not.toContain('certificate-issued');
    expect(findLeaks([JSON.parse(result.body), lines])).toEqual([]);
  });

  it('answers 503 and issues nothing when Secrets Manager is unreachable', async () => {
    // Prepare: a cold start whose Secrets Manager endpoint refuses connections.
    const unreachable = await refusingEndpoint();
    // Act
    const { result, out } = await withEnv(
      { AWS_ENDPOINT_URL_SECRETS_MANAGER: unreachable, AWS_MAX_ATTEMPTS: '1' },
      () => {
        const { handler: cold } = stageBundle<Handler>('issue-cert');
        return capturingStdout(() => cold(post({ user: 'app', generateKey: true })));
      },
    );
    // Assess
    expect(result.statusCode).toBe(503);
    expect(errorOf(result).code).toBe('unavailable');
    expect(result.body).not.toMatch(/certificate/);
    const lines = logLines(out);
    expect(lines.map((l) => l.event)).toEqual(['store-unavailable', 'request-refused']);
    expect(findLeaks([JSON.parse(result.body), lines])).toEqual([]);
  });

  it('refuses a policy secret in the earlier YAML-only format: a 500, and the log says to apply again', async () => {
    // Prepare: the secret as an earlier apply-rbac wrote it, read by a cold instance.
    await storePolicySecret(
      process.env,
      JSON.stringify({ format: 'etcd-warden-policy/v1', policy: POLICY_TEXT }),
    );
    onTestFinished(() => storePolicyVersion(process.env, POLICY_TEXT).then(() => undefined));
    const { handler: cold } = stageBundle<Handler>('issue-cert');
    // Act
    const { result, out } = await capturingStdout(() => cold(post({ user: 'app', generateKey: true })));
    // Assess
    expect(result.statusCode).toBe(500);
    expect(errorOf(result)).toEqual({ code: 'internal', message: 'internal error; nothing was issued' });
    const lines = logLines(out);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'error',
      event: 'request-failed',
      error: {
        message:
          'secretsmanager://warden/policy holds a policy in the earlier format etcd-warden-policy/v1 (YAML only); apply the policy again to store it as etcd-warden-policy/v2',
      },
    });
  });

  it('answers unknown routes and methods in JSON without a stack', async () => {
    // Prepare
    const wrongMethod = post({});
    (wrongMethod.requestContext?.http as { method: string }).method = 'GET';
    const wrongPath = post({});
    (wrongPath.requestContext?.http as { path: string }).path = '/admin';
    // Act
    const [method, path] = await Promise.all([handler(wrongMethod), handler(wrongPath)]);
    // Assess
    expect([method.statusCode, path.statusCode]).toEqual([405, 404]);
    expect(method.headers).toEqual({ 'content-type': 'application/json', allow: 'POST' });
    expect(errorOf(method).code).toBe('method-not-allowed');
    expect(path.headers['content-type']).toBe('application/json');
    expect(findLeaks([JSON.parse(method.body), JSON.parse(path.body)])).toEqual([]);
  });

  it.each([
    ['CA_SECRET_ID', undefined],
    ['POLICY_SECRET_ID', undefined],
    ['POLICY_CACHE_SECONDS', '5m'],
  ])('answers a JSON 500 and logs one line when %s is %s', async (variable, value) => {
    // Act
    const { result, out } = await withEnv({ [variable]: value }, () => {
      const { handler: misconfigured } = stageBundle<Handler>('issue-cert');
      return capturingStdout(() => misconfigured(post({ user: 'app', generateKey: true })));
    });
    // Assess
    expect(result).toMatchObject({ statusCode: 500, headers: { 'content-type': 'application/json' } });
    expect(errorOf(result)).toEqual({ code: 'internal', message: 'internal error; nothing was issued' });
    const lines = logLines(out);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'error',
      event: 'not-configured',
      error: { message: expect.stringContaining(variable) },
    });
    expect(findLeaks([JSON.parse(result.body), lines])).toEqual([]);
  });
});

describe('issue-cert on API Gateway HTTP API events (payload 2.0)', () => {
  /** The recorded HTTP API request on stage `prod`, moved to `stage` with this path. */
  const onStage = (stage: string, path: string, body: unknown = {}): HttpEvent => {
    const event = httpEvent('http-api-post-certificates.json', body, APP_CALLER);
    const context = event.requestContext as { stage: string; http: { path: string } };
    context.stage = stage;
    context.http.path = path;
    event.rawPath = path;
    return event;
  };

  it('issues for POST /prod/certificates on a named stage', async () => {
    // Prepare
    const event = httpEvent(
      'http-api-post-certificates.json',
      { user: 'app', csr: csrFor('app') },
      APP_CALLER,
    );
    // Act
    const result = await handler(event);
    // Assess
    expect([event.rawPath, event.requestContext?.stage]).toEqual(['/prod/certificates', 'prod']);
    expect(result.statusCode).toBe(201);
    const body = JSON.parse(result.body);
    expect(verify(caPem, body.certificate, 'sslclient').code).toBe(0);
    expect(x509Fields(body.certificate, ['-subject'])).toMatch(/CN\s*=\s*app/);
  });

  it('issues for POST /certificates on the $default stage', async () => {
    // Prepare
    const event = onStage('$default', '/certificates', { user: 'app', generateKey: true });
    // Act
    const result = await handler(event);
    // Assess
    expect(result.statusCode).toBe(201);
  });

  it('takes off the stage segment only, and only the event stage', async () => {
    // Prepare
    const ca = onStage('prod', '/prod/ca');
    (ca.requestContext?.http as { method: string }).method = 'GET';
    const stageAsRoute = onStage('prod', '/prod');
    const otherStage = onStage('$default', '/prod/certificates', { user: 'app', generateKey: true });
    const lookAlike = onStage('prod', '/production/certificates', { user: 'app', generateKey: true });
    // Act
    const answers = await Promise.all([ca, stageAsRoute, otherStage, lookAlike].map((e) => handler(e)));
    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([200, 404, 404, 404]);
    expect(answers[0]?.body).toBe(caPem);
    expect(errorOf(answers[1] as HttpResponse).message).toMatch(/^no route "\/":/);
    expect(errorOf(answers[2] as HttpResponse).message).toMatch(/^no route "\/prod\/certificates":/);
  });

  it('echoes a 10 KB path as a short prefix', async () => {
    // Prepare
    const long = `/${'x'.repeat(10_000)}`;
    // Act
    const answer = await handler(onStage('$default', long));
    // Assess
    expect(answer.statusCode).toBe(404);
    expect(errorOf(answer).message).toBe(
      `no route "/${'x'.repeat(44)}…": POST /certificates, GET /ca, GET /crl`,
    );
  });
});

describe('issue-cert caching in a warm instance', () => {
  /** A Secrets Manager of the test's own, so that its reads can be counted; closed when the test ends. */
  async function ownSecretsManager() {
    const own = await startFakeSecretsManager();
    onTestFinished(() => own.close());
    await seedSecrets(fakeAwsEnv(own.endpoint));
    return { own, env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: own.endpoint, AWS_MAX_ATTEMPTS: '1' } };
  }

  it('reads the CA and the policy once, and keeps issuing after Secrets Manager goes away', async () => {
    // Prepare: a warm instance, then Secrets Manager gone (a cold start there answers 503).
    const { own, env } = await ownSecretsManager();
    const { handler: warm } = stageBundle<Handler>('issue-cert');
    const warming = await withEnv(env, () =>
      Promise.all([
        warm(post({ user: 'app', generateKey: true })),
        warm(post({ user: `node-${NODE}`, generateKey: true }, NODE_CALLER)),
      ]),
    );
    const ownCaPem = JSON.parse((warming[0] as HttpResponse).body).ca;
    await own.close();
    // Act
    const { afterwards, ca, cold } = await withEnv(env, async () => ({
      afterwards: await warm(post({ user: 'app', csr: csrFor('app') })),
      ca: await warm(fixture<HttpEvent>('http-api-get-ca.json')),
      cold: await stageBundle<Handler>('issue-cert').handler(post({ user: 'app', generateKey: true })),
    }));
    // Assess
    expect(warming.map((r) => r.statusCode)).toEqual([201, 201]);
    expect(afterwards.statusCode).toBe(201);
    expect(verify(ownCaPem, JSON.parse(afterwards.body).certificate, 'sslclient').code).toBe(0);
    expect(ca).toMatchObject({ statusCode: 200, body: ownCaPem });
    expect(cold.statusCode).toBe(503);
    expect(secretReads(own).sort()).toEqual(['warden/ca', 'warden/policy']);
  });

  it('answers from its cached policy while a newer version waits for the cache time', async () => {
    // Prepare: a warm instance, then a policy version with a user its cached policy does not have.
    const { own, env } = await ownSecretsManager();
    const newer = POLICY_TEXT.replace(
      'users:\n',
      'users:\n  batch:\n    roles: [app-rw]\n    certificate:\n      ttl: 24h\n' +
        '      requesters: ["arn:aws:iam::123456789012:role/app-runner"]\n',
    );
    expect(newer).not.toBe(POLICY_TEXT);
    const { handler: warm } = stageBundle<Handler>('issue-cert');
    const asBatch = (instance: Handler) => instance(post({ user: 'batch', generateKey: true }));
    const before = await withEnv(env, () => asBatch(warm));
    await storePolicyVersion(fakeAwsEnv(own.endpoint), newer);
    // Act
    const { cached, cold } = await withEnv(env, async () => ({
      cached: await asBatch(warm),
      cold: await asBatch(stageBundle<Handler>('issue-cert').handler),
    }));
    // Assess: the store's cache time (5 minutes) bounds how long the warm one answers so.
    expect([before.statusCode, cached.statusCode, cold.statusCode]).toEqual([404, 404, 201]);
    expect(x509Fields(JSON.parse(cold.body).certificate, ['-subject'])).toMatch(/CN\s*=\s*batch/);
    expect(secretReads(own).sort()).toEqual(['warden/ca', 'warden/ca', 'warden/policy', 'warden/policy']);
  });

  it('with POLICY_CACHE_SECONDS=0 a warm instance reads each request the policy apply stored last', async () => {
    // Prepare
    const { own, env } = await ownSecretsManager();
    const newer = POLICY_TEXT.replace(
      'users:\n',
      'users:\n  batch:\n    roles: [app-rw]\n    certificate:\n      ttl: 24h\n' +
        '      requesters: ["arn:aws:iam::123456789012:role/app-runner"]\n',
    );
    const uncached = { ...env, POLICY_CACHE_SECONDS: '0' };
    const { handler: warm } = await withEnv(uncached, async () => stageBundle<Handler>('issue-cert'));
    const asBatch = () => warm(post({ user: 'batch', generateKey: true }));
    const before = await withEnv(uncached, asBatch);
    await storePolicyVersion(fakeAwsEnv(own.endpoint), newer);
    // Act
    const after = await withEnv(uncached, asBatch);
    // Assess
    expect([before.statusCode, after.statusCode]).toEqual([404, 201]);
    expect(secretReads(own).filter((s) => s === 'warden/policy')).toHaveLength(2);
  });
});
