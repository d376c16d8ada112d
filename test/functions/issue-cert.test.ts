// The built issue-cert bundle with realistic function URL / HTTP API events, the real AWS SDK
// against a loopback Secrets Manager, and certificates judged by openssl.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent, HttpResponse } from '../../functions/http.js';
import { opensslCsr, opensslKey, verify, x509Fields } from '../support/openssl.js';
import {
  type FakeSecretsManager,
  fakeAwsEnv,
  startFakeSecretsManager,
} from '../support/secretsmanager-server.js';
import { capturingStdout, fixture, loadBundle, seedSecrets } from './bundles.js';

type Handler = (event: HttpEvent) => Promise<HttpResponse>;

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
function post(body: unknown, caller: string | null = APP_CALLER): HttpEvent {
  const event = fixture<HttpEvent & { requestContext: { authorizer?: { iam: { userArn?: string } } } }>(
    'function-url-post-certificates.json',
  );
  if (caller === null) delete event.requestContext.authorizer;
  else if (event.requestContext.authorizer) event.requestContext.authorizer.iam.userArn = caller;
  event.body = typeof body === 'string' ? body : JSON.stringify(body);
  return event;
}

const errorOf = (response: HttpResponse) =>
  JSON.parse(response.body).error as { code: string; message: string };

beforeAll(async () => {
  sm = await startFakeSecretsManager();
  Object.assign(process.env, fakeAwsEnv(sm.endpoint), {
    CA_SECRET_ID: 'warden/ca',
    POLICY_SECRET_ID: 'warden/policy',
  });
  ({ caPem, caKeyPem } = await seedSecrets(process.env));
  handler = await loadBundle<Handler>('issue-cert');
});

afterAll(async () => {
  process.env = saved;
  await sm?.close();
});

describe('issue-cert bundle', () => {
  it('signs a CSR for a caller the user lists, with an audit line and no key in it', async () => {
    // Prepare
    const csr = opensslCsr(opensslKey('ec:P-256'), '/CN=app').toString('utf8');
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
    const audit = out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .find((l) => l.level === 'audit');
    expect(audit).toMatchObject({
      event: 'certificate-issued',
      serial: body.serial,
      name: 'app',
      caller: APP_CALLER,
    });
    expect(out).not.toMatch(/PRIVATE KEY/);
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
    expect(out).not.toMatch(/PRIVATE KEY/);
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

  const csrFor = (cn: string) => opensslCsr(opensslKey('ec:P-256'), `/CN=${cn}`).toString('utf8');

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
    expect(errorOf(result).message).not.toMatch(/\n\s+at |PRIVATE KEY/);
    expect(out).not.toMatch(/certificate-issued|PRIVATE KEY|\n\s+at /);
  });

  it('answers 503 and issues nothing when Secrets Manager is unreachable', async () => {
    // Prepare: a cold start whose Secrets Manager endpoint refuses connections.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${port}`;
    process.env.AWS_MAX_ATTEMPTS = '1';
    const cold = await loadBundle<Handler>('issue-cert');
    // Act
    const { result, out } = await capturingStdout(() => cold(post({ user: 'app', generateKey: true })));
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = sm.endpoint;
    delete process.env.AWS_MAX_ATTEMPTS;
    // Assess
    expect(result.statusCode).toBe(503);
    expect(errorOf(result).code).toBe('unavailable');
    expect(result.body).not.toMatch(/certificate|PRIVATE KEY/);
    expect(out).not.toMatch(/certificate-issued|\n\s+at /);
  });

  it('answers unknown routes and methods without a stack', async () => {
    // Prepare
    const wrongMethod = post({});
    (wrongMethod.requestContext?.http as { method: string }).method = 'GET';
    const wrongPath = post({});
    (wrongPath.requestContext?.http as { path: string }).path = '/admin';
    // Act
    const [method, path] = await Promise.all([handler(wrongMethod), handler(wrongPath)]);
    // Assess
    expect([method.statusCode, path.statusCode]).toEqual([405, 404]);
  });
});
