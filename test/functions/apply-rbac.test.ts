// The built apply-rbac bundle, run from a folder without node_modules (as on Lambda), against a
// real TLS etcd and the real AWS SDK pointed at a loopback Secrets Manager: direct commands,
// the EventBridge drift schedule and EC2 state changes.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import {
  type FakeSecretsManager,
  fakeAwsEnv,
  startFakeSecretsManager,
} from '../support/secretsmanager-server.js';
import { capturingStdout, fixture, loadBundle, POLICY_TEXT, seedSecrets } from './bundles.js';

type Result = {
  command?: string;
  event?: string;
  planned?: { op: string }[];
  applied?: { op: string; user?: string }[];
  remaining?: unknown[];
  stored?: string;
  users?: string[];
  error?: { code: string; message: string; diagnostics?: string[] };
};
type Handler = (event: unknown) => Promise<Result>;

const NODE = 'i-0abc12345678def01';
let cluster: EtcdCluster;
let sm: FakeSecretsManager;
let handler: Handler;
let lambdaDir: string;
const saved = { ...process.env };

const storedPolicy = (): string | undefined => {
  const value = sm.valueOf('warden/policy');
  return value === undefined ? undefined : JSON.parse(value).policy;
};

beforeAll(async () => {
  [cluster, sm] = await Promise.all([startEtcdCluster(), startFakeSecretsManager()]);
  Object.assign(process.env, fakeAwsEnv(sm.endpoint), {
    CA_SECRET_ID: 'warden/ca',
    POLICY_SECRET_ID: 'warden/policy',
    ETCD_ENDPOINTS: cluster.endpoints.join(','),
    ETCD_CALL_TIMEOUT_MS: '3000',
  });
  await seedSecrets(process.env, { certificatePem: cluster.caPem, privateKeyPem: cluster.caKeyPem }, '');
  // Lambda has the bundle alone in /var/task: no node_modules to fall back on.
  lambdaDir = mkdtempSync(join(tmpdir(), 'warden-lambda-'));
  copyFileSync(join(REPO, 'dist/functions/apply-rbac/index.mjs'), join(lambdaDir, 'index.mjs'));
  handler = await loadBundle<Handler>('apply-rbac', lambdaDir);
}, 60_000);

afterAll(async () => {
  process.env = saved;
  await Promise.all([cluster?.stop(), sm?.close()]);
  if (lambdaDir) rmSync(lambdaDir, { recursive: true, force: true });
});

describe('apply-rbac bundle', () => {
  it('refuses an invalid policy with its diagnostics and changes nothing', async () => {
    // Act
    const result = await handler({
      command: 'apply',
      policy: 'version: 1\nusers:\n  x: {roles: [missing]}\n',
    });
    // Assess
    expect(result.error?.code).toBe('invalid-policy');
    expect(result.error?.diagnostics?.join('\n')).toMatch(/policy:\d+:\d+: error/);
    expect(cluster.etcdctl('role', 'list')).not.toMatch(/app-rw/);
    expect(storedPolicy()).toBeUndefined();
  });

  it.each([
    ['an unknown command', { command: 'destroy' }],
    ['an extra field', { command: 'plan', policy: POLICY_TEXT, force: true }],
    ['a policy that is not text', { command: 'apply', policy: { users: {} } }],
    ['an unknown event', { source: 'aws.s3', 'detail-type': 'Object Created' }],
    [
      'an EC2 event without an instance id',
      { ...fixture('ec2-state-change.json'), detail: { state: 'running' } },
    ],
    ['not an object', 'apply'],
  ])('refuses %s as invalid input', async (_what, event) => {
    // Act
    const result = await handler(event);
    // Assess
    expect(result.error?.code).toBe('invalid-input');
    expect(JSON.stringify(result)).not.toMatch(/\n\s+at /);
  });

  it('answers a plan before anything is stored with not-found, not a stack', async () => {
    // Act
    const result = await handler({ command: 'plan' });
    // Assess
    expect(result.error?.code).toBe('not-found');
  });

  it('applies a policy as root with a minted certificate, then stores it as a new version', async () => {
    // Act
    const { result, out } = await capturingStdout(() => handler({ command: 'apply', policy: POLICY_TEXT }));
    // Assess
    expect(result.error).toBeUndefined();
    expect(result.applied?.length).toBeGreaterThan(0);
    expect(result.remaining).toEqual([]);
    expect(result.stored).toBeTruthy();
    expect(storedPolicy()).toBe(POLICY_TEXT);
    expect(result.applied?.map((c) => c.op)).toContain('enable-auth');
    expect(cluster.etcdctl('user', 'get', 'app')).toMatch(/Roles: app-rw/);
    expect(out).not.toMatch(/PRIVATE KEY/);
  });

  it('plans nothing on a second look, and reports drift on the schedule without fixing it', async () => {
    // Prepare
    const clean = await handler({ command: 'plan', policy: POLICY_TEXT });
    cluster.etcdctl('role', 'revoke-permission', 'app-rw', '/app/', '--prefix=true');
    // Act
    const drift = await handler(fixture('eventbridge-scheduled.json'));
    // Assess
    expect(clean.planned).toEqual([]);
    expect(drift.event).toBe('drift-check');
    expect(drift.planned?.map((c) => c.op)).toEqual(['grant-permission']);
    expect(cluster.etcdctl('role', 'get', 'app-rw')).not.toMatch(/\/app\//);
    // The stored policy fixes it.
    expect((await handler({ command: 'apply' })).applied?.length).toBe(1);
  });

  it('creates an instance user when the instance runs and deletes it when it terminates', async () => {
    // Prepare
    const running = fixture('ec2-state-change.json');
    const terminated = { ...running, detail: { 'instance-id': NODE, state: 'terminated' } };
    const stopping = { ...running, detail: { 'instance-id': NODE, state: 'stopping' } };
    // Act
    const created = await handler(running);
    const again = await handler(running);
    const afterCreate = cluster.etcdctl('user', 'get', `node-${NODE}`);
    const ignored = await handler(stopping);
    const deleted = await handler(terminated);
    // Assess
    expect(created.applied?.map((c) => c.op)).toEqual(['add-user', 'grant-role']);
    expect(afterCreate).toMatch(/Roles: node-rw/);
    expect(again.applied).toEqual([]);
    expect(ignored.event).toBe('ignored');
    expect(deleted.applied?.map((c) => c.op)).toEqual(['delete-user']);
    expect(cluster.etcdctl('user', 'list')).not.toContain(`node-${NODE}`);
    // A plan of the policy leaves template users alone, and the policy still matches.
    expect((await handler({ command: 'plan' })).planned).toEqual([]);
  });
});
