// The v2 API through the built CLI against a real etcd 3.4 started with --enable-v2: the simple
// Calico + Kubernetes split applied with apis [v3, v2], then checked the way a v2 client sees it,
// with curl and each component's certificate on /v2/keys.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientFiles, type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { caStoreFor, cliEnv, policyFile, warden } from './cli-env.js';

/** curl against the first endpoint with `who`'s certificate (root's when not given). */
function curlAt(cluster: EtcdCluster, path: string, args: string[], who: ClientFiles = cluster.root) {
  return spawnSync(
    'curl',
    [
      ...['-s', '--max-time', '10', '--cacert', cluster.caFile, '--cert', who.cert, '--key', who.key],
      ...args,
      `${cluster.endpoints[0]}${path}`,
    ],
    { encoding: 'utf8', timeout: 15_000 },
  );
}

/** The HTTP status of a v2 request made with `who`'s certificate. */
function curl(cluster: EtcdCluster, who: ClientFiles, method: 'GET' | 'PUT', path: string): number {
  const body = method === 'PUT' ? ['-d', 'value=x'] : [];
  return Number(
    curlAt(cluster, path, ['-o', '/dev/null', '-w', '%{http_code}', '-X', method, ...body], who).stdout,
  );
}

function v2Json(cluster: EtcdCluster, path: string): unknown {
  return JSON.parse(curlAt(cluster, path, []).stdout);
}

/** A v2 PUT as root, made by hand (etcd's own API, not etcd-warden). */
function v2Put(cluster: EtcdCluster, path: string, body: unknown): void {
  const run = curlAt(cluster, path, ['--fail', '-X', 'PUT', '-d', JSON.stringify(body)]);
  if (run.status !== 0) throw new Error(`PUT ${path} failed: ${run.stdout}`);
}

describe('the v2 API through the CLI (etcd 3.4 with --enable-v2)', () => {
  let cluster: EtcdCluster;
  let policy: string;
  let teardown: string;
  let calico: ClientFiles;
  let kube: ClientFiles;
  let stranger: ClientFiles;

  beforeAll(async () => {
    cluster = await startEtcdCluster({ enableV2: true });
    policy = policyFile(cluster, 'calico-kubernetes-simple.yaml', 'v2.yaml', (t) =>
      t.replace('auth: enabled', 'auth: enabled\napis: [v3, v2]').replace('prune: false', 'prune: true'),
    );
    teardown = policyFile(cluster, 'calico-kubernetes-simple.yaml', 'v3-only.yaml', (t) =>
      t.replace('prune: false', 'prune: true'),
    );
    [calico, kube, stranger] = await Promise.all([
      cluster.clientFiles('calico'),
      cluster.clientFiles('kube-apiserver'),
      cluster.clientFiles('stranger'),
    ]);
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('plans the v2 store after the v3 one, the guest role made empty before v2 auth is on', () => {
    // Act
    const run = warden(cluster, ['plan', policy]);

    // Assess
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toContain('+ v2 role calico');
    expect(lines).toContain('+ v2 permission calico: path /calico/* read');
    expect(lines).toContain('+ v2 permission calico: path /calico/* write');
    expect(lines).toContain('+ v2 user calico');
    expect(lines).toContain('+ v2 role calico of user calico');
    expect(lines.indexOf('+ v2 role guest')).toBeGreaterThan(lines.indexOf('+ auth enable'));
    expect(lines.at(-2)).toBe('+ v2 auth enable');
    expect(run.stdout).not.toMatch(/password/i);
  });

  it('applies both APIs: each component reads and writes its prefix on /v2/keys and nothing else', () => {
    // Act
    const apply = warden(cluster, ['apply', policy, '--yes']);

    // Assess
    expect(apply.code, apply.stderr).toBe(0);
    // No v2 password (32 random bytes, base64) is ever printed.
    expect(apply.stdout + apply.stderr).not.toMatch(/[A-Za-z0-9+/]{43}=/);
    expect(curl(cluster, calico, 'PUT', '/v2/keys/calico/v1/ipam/a')).toBe(201);
    expect(curl(cluster, calico, 'GET', '/v2/keys/calico/v1/ipam/a')).toBe(200);
    expect(curl(cluster, calico, 'PUT', '/v2/keys/registry/pods/x')).toBe(401);
    expect(curl(cluster, calico, 'GET', '/v2/keys/registry/pods/x')).toBe(401);
    expect(curl(cluster, calico, 'PUT', '/v2/keys/calico-sibling')).toBe(401);
    expect(curl(cluster, kube, 'PUT', '/v2/keys/registry/pods/x')).toBe(201);
    expect(curl(cluster, kube, 'GET', '/v2/keys/registry/pods/x')).toBe(200);
  });

  it('refuses a trusted certificate whose CN is no user: the guest role is locked', () => {
    // Assess
    expect(curl(cluster, stranger, 'GET', '/v2/keys/calico/v1/ipam/a')).toBe(401);
    expect(curl(cluster, stranger, 'PUT', '/v2/keys/anything')).toBe(401);
    expect(v2Json(cluster, '/v2/auth/roles/guest')).toMatchObject({
      permissions: { kv: { read: expect.not.arrayContaining(['/*']) } },
    });
  });

  it('verify judges the v2 store too: a v2 grant made by hand fails it', async () => {
    // Prepare
    const caStore = await caStoreFor(cluster);
    const clean = warden(cluster, ['verify', policy, '--ca-store', caStore]);
    v2Put(cluster, '/v2/auth/roles/calico', { role: 'calico', grant: { kv: { write: ['/registry/*'] } } });

    // Act
    const drifted = warden(cluster, ['verify', policy, '--ca-store', caStore]);
    warden(cluster, ['apply', policy, '--yes']);

    // Assess
    expect(clean.code, clean.stdout).toBe(0);
    expect(drifted.code).toBe(1);
    expect(drifted.stdout).toContain('- v2 permission calico: path /registry/* write');
  });

  it('plans nothing a second time', () => {
    // Act
    const again = warden(cluster, ['plan', policy, '--detailed-exitcode']);

    // Assess
    expect(again.stdout).toBe('No changes: etcd matches the policy.\n');
    expect(again.code).toBe(0);
  });

  it('shows drift made by hand in v2 and reverts it', () => {
    // Prepare: a grant, a user and the guest's access put back by hand through v2's own API
    v2Put(cluster, '/v2/auth/roles/calico', { role: 'calico', grant: { kv: { read: ['/registry/*'] } } });
    v2Put(cluster, '/v2/auth/roles/guest', { role: 'guest', grant: { kv: { read: ['/*'] } } });
    v2Put(cluster, '/v2/auth/users/intruder', { user: 'intruder', password: 'intruder-password-1234' });
    expect(curl(cluster, calico, 'GET', '/v2/keys/registry/pods/x')).toBe(200);

    // Act
    const drift = warden(cluster, ['plan', policy, '--detailed-exitcode']);
    const apply = warden(cluster, ['apply', policy, '--yes']);

    // Assess
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain('- v2 permission calico: path /registry/* read');
    expect(drift.stdout).toContain('- v2 permission guest: path /* read');
    expect(drift.stdout).toContain('- v2 user intruder');
    expect(drift.stdout).toContain('Plan: 0 to add, 0 to change, 3 to remove.');
    expect(apply.code, apply.stderr).toBe(0);
    expect(curl(cluster, calico, 'GET', '/v2/keys/registry/pods/x')).toBe(401);
    expect(curl(cluster, stranger, 'GET', '/v2/keys/calico/v1/ipam/a')).toBe(401);
    expect(warden(cluster, ['plan', policy]).stdout).toBe('No changes: etcd matches the policy.\n');
  });

  it('warns that v2 content blocks an upgrade to 3.6, on stderr and in --json', () => {
    // Act
    const run = warden(cluster, ['plan', policy, '--json']);

    // Assess
    expect(run.stderr).toMatch(/^etcd-warden: warning: .*etcd 3\.6 refuses/m);
    const parsed = JSON.parse(run.stdout) as { warnings: string[] };
    expect(parsed.warnings.some((w) => w.includes('apis: [v3] and prune: true'))).toBe(true);
    expect(
      parsed.warnings.some((w) => /^etcd 3\.4\.23 at .* GHSA-rfx7-8w68-q57q .* fixed in 3\.4\.42$/.test(w)),
    ).toBe(true);
  });

  it('imports both stores as apis [v3, v2]; the import plans empty against the cluster', () => {
    // Prepare
    const imported = join(cluster.dir, 'imported-v2.yaml');

    // Act
    const run = warden(cluster, ['import', '--out', imported]);
    const plan = warden(cluster, ['plan', imported, '--detailed-exitcode']);

    // Assess
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(imported, 'utf8');
    expect(text).toContain('\napis: [v3, v2]\n');
    expect(text).not.toMatch(/guest|differ/);
    expect(plan).toMatchObject({ code: 0, stdout: 'No changes: etcd matches the policy.\n' });
  });

  it('imports v3 alone, and says so, for an identity that is root on v3 but no v2 user', async () => {
    // Prepare: a v3-only administrator, made by hand.
    cluster.etcdctl('user', 'add', 'v3-admin', '--no-password');
    cluster.etcdctl('user', 'grant-role', 'v3-admin', 'root');
    const admin = await cluster.clientFiles('v3-admin');

    // Act
    const run = warden(cluster, ['import'], cliEnv(cluster, admin));
    cluster.etcdctl('user', 'delete', 'v3-admin');

    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(
      /^# {3}- the v2 store was not read \(etcd's v2 API refused .*\): only v3 is in this file$/m,
    );
    expect(run.stdout).not.toContain('apis:');
    expect(run.stdout).toContain('  v3-admin:\n    roles: [root]\n');
  });

  it('tears v2 down with apis [v3] and prune: true, leaving no v2 users, roles or auth, v3 untouched', () => {
    // Act
    const plan = warden(cluster, ['plan', teardown]);
    const apply = warden(cluster, ['apply', teardown, '--yes']);

    // Assess
    expect(plan.stdout.split('\n')[0]).toBe('- v2 auth disable');
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stderr).not.toMatch(/3\.6 refuses/);
    expect(v2Json(cluster, '/v2/auth/enable')).toEqual({ enabled: false });
    expect(v2Json(cluster, '/v2/auth/users')).toEqual({ users: null });
    expect(
      (v2Json(cluster, '/v2/auth/roles') as { roles: { role: string }[] }).roles.map((r) => r.role),
    ).toEqual(['root']);
    expect(warden(cluster, ['plan', teardown]).stdout).toBe('No changes: etcd matches the policy.\n');
    expect(cluster.etcdctl('role', 'get', 'calico')).toContain('/calico/');
  });
});
