// The two bundles chained as in AWS: apply-rbac applies a policy to a real TLS etcd (auth on) and
// stores it in Secrets Manager; issue-cert, knowing only that secret and the CA, issues a certificate
// for one of its users; etcd itself then judges that certificate.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpEvent, HttpResponse } from '../../functions/http.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { x509Fields } from '../support/openssl.js';
import {
  type FakeSecretsManager,
  fakeAwsEnv,
  startFakeSecretsManager,
} from '../support/secretsmanager-server.js';
import {
  capturingStdout,
  findLeaks,
  httpEvent,
  logLines,
  POLICY_TEXT,
  removeStagedBundles,
  seedSecrets,
  stageBundle,
} from './bundles.js';

type ApplyRbac = (
  event: unknown,
) => Promise<{ applied?: { op: string }[]; remaining?: unknown[]; stored?: string }>;
type IssueCert = (event: HttpEvent) => Promise<HttpResponse>;

const APP_CALLER = 'arn:aws:sts::123456789012:assumed-role/app-runner/deploy-7';
/** The app runner's function URL request for a certificate and key of the `app` user. */
const appRequest = () =>
  httpEvent('function-url-post-certificates.json', { user: 'app', generateKey: true, ttl: '1h' }, APP_CALLER);

let cluster: EtcdCluster;
let sm: FakeSecretsManager;
const saved = { ...process.env };

beforeAll(async () => {
  [cluster, sm] = await Promise.all([startEtcdCluster(), startFakeSecretsManager()]);
  Object.assign(process.env, fakeAwsEnv(sm.endpoint), {
    CA_SECRET_ID: 'warden/ca',
    POLICY_SECRET_ID: 'warden/policy',
    ETCD_ENDPOINTS: cluster.endpoints.join(','),
    ETCD_CALL_TIMEOUT_MS: '3000',
    AWS_MAX_ATTEMPTS: '1',
  });
  // The cluster's CA, as `ca init --ca-store secretsmanager://warden/ca` would store it; no policy yet.
  await seedSecrets(process.env, { certificatePem: cluster.caPem, privateKeyPem: cluster.caKeyPem }, '');
}, 60_000);

afterAll(async () => {
  process.env = saved;
  await Promise.all([cluster?.stop(), sm?.close()]);
  removeStagedBundles();
});

/** etcdctl with a client certificate (the user is its CN) and nothing else. */
function etcdctlWith(cert: string, key: string, ...args: string[]) {
  const run = spawnSync(
    'etcdctl',
    [
      `--endpoints=${cluster.endpoints.join(',')}`,
      `--cacert=${cluster.caFile}`,
      `--cert=${cert}`,
      `--key=${key}`,
      '--dial-timeout=3s',
      '--command-timeout=5s',
      ...args,
    ],
    { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' }, timeout: 15_000 },
  );
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('apply-rbac then issue-cert', () => {
  it('issues, from the policy apply-rbac stored, a certificate etcd holds to its user prefix', async () => {
    // Prepare: both functions cold; issue-cert has no policy to authorize against yet.
    const { handler: applyRbac } = stageBundle<ApplyRbac>('apply-rbac');
    const { handler: issueCert } = stageBundle<IssueCert>('issue-cert');
    const request = () => issueCert(appRequest());
    const beforeApply = await request();
    // Act
    const { result: applied, out: applyLog } = await capturingStdout(() =>
      applyRbac({ command: 'apply', policy: POLICY_TEXT }),
    );
    const { result: issued, out: issueLog } = await capturingStdout(request);
    // Assess
    expect(beforeApply.statusCode).toBe(503);
    expect(applied.applied?.map((c) => c.op)).toContain('enable-auth');
    expect(applied.remaining).toEqual([]);
    expect(applied.stored).toBeTruthy();
    expect(JSON.parse(sm.valueOf('warden/policy') as string).text).toBe(POLICY_TEXT);
    expect(issued.statusCode).toBe(201);
    const body = JSON.parse(issued.body) as { certificate: string; privateKey: string; ca: string };
    expect(body.ca).toBe(cluster.caPem);
    expect(x509Fields(body.certificate, ['-subject'])).toMatch(/CN\s*=\s*app/);
    const cert = join(cluster.dir, 'issued-app.pem');
    const key = join(cluster.dir, 'issued-app-key.pem');
    writeFileSync(cert, body.certificate);
    writeFileSync(key, body.privateKey, { mode: 0o600 });
    expect(etcdctlWith(cert, key, 'put', '/app/chained', 'from issue-cert').code).toBe(0);
    expect(etcdctlWith(cert, key, 'get', '/app/chained', '--print-value-only').stdout.trim()).toBe(
      'from issue-cert',
    );
    for (const outside of [
      ['put', '/nodes/x', 'no'],
      ['get', '/nodes/x'],
      ['get', '/', '--prefix'],
    ]) {
      const refused = etcdctlWith(cert, key, ...outside);
      expect(refused.code, outside.join(' ')).not.toBe(0);
      expect(refused.stderr).toMatch(/permission denied/);
    }
    expect(findLeaks([applied, logLines(applyLog), logLines(issueLog)])).toEqual([]);
  });
});
