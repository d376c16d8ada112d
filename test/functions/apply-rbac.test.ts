// The built apply-rbac bundle, staged as Lambda runs it (the SDK its only node_modules), against a
// real TLS etcd and the real AWS SDK pointed at a loopback Secrets Manager: direct commands,
// the EventBridge drift schedule and EC2 state changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import {
  type FakeSecretsManager,
  fakeAwsEnv,
  startFakeSecretsManager,
} from '../support/secretsmanager-server.js';
import {
  capturingStdout,
  findLeaks,
  fixture,
  logLines,
  POLICY_TEXT,
  policySecretString,
  removeStagedBundles,
  seedSecrets,
  stageBundle,
  storePolicySecret,
  withEnv,
} from './bundles.js';

type Result = {
  command?: string;
  event?: string;
  planned?: { op: string }[];
  applied?: { op: string; user?: string }[];
  remaining?: unknown[];
  stored?: string;
  users?: string[];
  warnings?: string[];
  error?: { code: string; message: string; diagnostics?: string[] };
};
type Handler = (event: unknown) => Promise<Result>;

const NODE = 'i-0abc12345678def01';
let cluster: EtcdCluster;
let sm: FakeSecretsManager;
let handler: Handler;
const saved = { ...process.env };

const storedPolicy = (): string | undefined => {
  const value = sm.valueOf('warden/policy');
  return value === undefined ? undefined : JSON.parse(value).text;
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
  ({ handler } = stageBundle<Handler>('apply-rbac'));
}, 60_000);

afterAll(async () => {
  process.env = saved;
  await Promise.all([cluster?.stop(), sm?.close()]);
  removeStagedBundles();
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
    const { result, out } = await capturingStdout(() => handler(event));
    // Assess
    expect(result.error?.code).toBe('invalid-input');
    expect(logLines(out).map((l) => l.level)).toEqual(['error']);
    expect(findLeaks([result, logLines(out)])).toEqual([]);
  });

  it('answers a plan before anything is stored with not-found, not a stack', async () => {
    // Act
    const { result, out } = await capturingStdout(() => handler({ command: 'plan' }));
    // Assess
    expect(result.error?.code).toBe('not-found');
    expect(findLeaks([result, logLines(out)])).toEqual([]);
  });

  it.each(['CA_SECRET_ID', 'POLICY_SECRET_ID', 'ETCD_ENDPOINTS'])(
    'answers an error result and logs one line when %s is not set',
    async (variable) => {
      // Act
      const { result, out } = await withEnv({ [variable]: undefined }, () => {
        const { handler: misconfigured } = stageBundle<Handler>('apply-rbac');
        return capturingStdout(() => misconfigured({ command: 'plan', policy: POLICY_TEXT }));
      });
      // Assess
      expect(result).toEqual({
        error: { code: 'internal', message: `the function is not configured: ${variable} is not set` },
      });
      const lines = logLines(out);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 'error',
        event: 'failed',
        error: { message: expect.stringContaining(variable) },
      });
      expect(findLeaks([result, lines])).toEqual([]);
    },
  );

  it('refuses a plan that apply would refuse, as plan, and changes nothing', async () => {
    // Prepare: a stored policy (its shape is fine; no rule ran on it) that enables auth with no
    // root user, on a cluster whose auth is still off: applying it would lock everyone out.
    const withoutRoot = JSON.parse(policySecretString(POLICY_TEXT));
    delete withoutRoot.policy.users.root;
    await storePolicySecret(process.env, JSON.stringify(withoutRoot));
    // Act
    const { result, out } = await capturingStdout(() => handler({ command: 'plan' }));
    // Assess
    expect(result).toEqual({
      error: {
        code: 'forbidden',
        message:
          'refusing to enable auth: user "root" would not hold the root role, and etcd would have no administrator',
      },
    });
    expect(logLines(out).map(({ level, event }) => `${level} ${event}`)).toEqual(['error failed']);
    expect(logLines(out)[0]?.function_request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(cluster.etcdctl('role', 'list')).not.toMatch(/app-rw/);
    expect(cluster.etcdctl('user', 'list')).not.toMatch(/app/);
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
    // The installed etcd 3.4 has known RBAC flaws, named with the release that fixes each.
    expect(result.warnings).toContainEqual(expect.stringMatching(/GHSA-rfx7-8w68-q57q .*fixed in 3\.4\.42$/));
    expect(result.applied?.map((c) => c.op)).toContain('enable-auth');
    expect(cluster.etcdctl('user', 'get', 'app')).toMatch(/Roles: app-rw/);
    expect(findLeaks([result, logLines(out)])).toEqual([]);
  });

  it('plans nothing on a second look, and on the schedule only reports drift and warns', async () => {
    // Prepare
    const clean = await handler({ command: 'plan', policy: POLICY_TEXT });
    cluster.etcdctl('role', 'revoke-permission', 'app-rw', '/app/', '--prefix=true');
    const storedBefore = sm.valueOf('warden/policy');
    // Act
    const { result: drift, out } = await capturingStdout(() =>
      handler(fixture('eventbridge-scheduled.json')),
    );
    // Assess
    expect(clean.planned).toEqual([]);
    expect(clean.warnings).toContainEqual(expect.stringMatching(/GHSA-rfx7-8w68-q57q .*fixed in 3\.4\.42$/));
    expect(drift).toMatchObject({ event: 'drift-check', command: 'plan' });
    expect(drift.planned?.map((c) => c.op)).toEqual(['grant-permission']);
    expect(drift.applied).toBeUndefined();
    expect(cluster.etcdctl('role', 'get', 'app-rw')).not.toMatch(/\/app\//);
    expect(logLines(out).map(({ level, event }) => `${level} ${event}`)).toEqual([
      'info planned',
      'warn drift',
    ]);
    expect(logLines(out)[1]).toMatchObject({ changes: 1 });
    expect(sm.valueOf('warden/policy')).toBe(storedBefore);
    // The stored policy fixes it.
    expect((await handler({ command: 'apply' })).applied?.length).toBe(1);
  });

  it('with APPLY_ON_DRIFT=true applies the stored policy on the schedule, and warns', async () => {
    // Prepare: drift, and a cold instance (it reads its configuration at its first event).
    cluster.etcdctl('role', 'revoke-permission', 'app-rw', '/app/', '--prefix=true');
    const { handler: fixing } = stageBundle<Handler>('apply-rbac');
    // Act
    const { result: drift, out } = await withEnv({ APPLY_ON_DRIFT: 'true' }, () =>
      capturingStdout(() => fixing(fixture('eventbridge-scheduled.json'))),
    );
    // Assess
    expect(drift).toMatchObject({ event: 'drift-check', command: 'apply', remaining: [] });
    expect(drift.applied?.map((c) => c.op)).toEqual(['grant-permission']);
    expect(cluster.etcdctl('role', 'get', 'app-rw')).toMatch(/\/app\//);
    expect(logLines(out).map(({ level, event }) => `${level} ${event}`)).toEqual([
      'info applied',
      'warn drift',
    ]);
    expect(findLeaks([drift, logLines(out)])).toEqual([]);
    expect((await handler({ command: 'plan' })).planned).toEqual([]);
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
    expect(created.warnings).toContainEqual(expect.stringMatching(/GHSA-rfx7-8w68-q57q/));
    expect(afterCreate).toMatch(/Roles: node-rw/);
    expect(again.applied).toEqual([]);
    expect(ignored.event).toBe('ignored');
    expect(deleted.applied?.map((c) => c.op)).toEqual(['delete-user']);
    expect(cluster.etcdctl('user', 'list')).not.toContain(`node-${NODE}`);
    // A plan of the policy leaves template users alone, and the policy still matches.
    expect((await handler({ command: 'plan' })).planned).toEqual([]);
  });
});
