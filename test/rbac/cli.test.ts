// The acceptance path through the built CLI against a real etcd: the simple Calico + Kubernetes
// split applied to a fresh cluster, verified, planned again (empty), drift by hand reverted, and
// an import that round-trips to a fresh cluster.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { besidesWarnings } from '../support/cli.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { caStoreFor, policyFile, warden } from './cli-env.js';

describe('plan, apply, verify, import through the CLI', () => {
  let cluster: EtcdCluster;
  let fresh: EtcdCluster;
  let policy: string;
  let pruning: string;
  let caStore: string;

  beforeAll(async () => {
    [cluster, fresh] = await Promise.all([startEtcdCluster(), startEtcdCluster()]);
    policy = policyFile(cluster, 'calico-kubernetes-simple.yaml', 'policy.yaml');
    pruning = policyFile(cluster, 'calico-kubernetes-simple.yaml', 'pruning.yaml', (t) =>
      t.replace('prune: false', 'prune: true'),
    );
    caStore = await caStoreFor(cluster);
  });

  afterAll(async () => {
    await Promise.all([cluster?.stop(), fresh?.stop()]);
  });

  it('plans the whole setup on a fresh cluster, as text and as JSON', () => {
    // Act
    const text = warden(cluster, ['plan', policy, '--detailed-exitcode']);
    const json = warden(cluster, ['plan', policy, '--json']);

    // Assess
    expect(besidesWarnings(text.stderr)).toBe('');
    expect(text.code).toBe(2);
    expect(text.stdout).toContain('+ role calico\n');
    expect(text.stdout).toContain('+ permission calico: prefix "/calico/" readwrite\n');
    expect(text.stdout).toContain('+ role root of user kube-apiserver\n');
    expect(text.stdout.trimEnd().split('\n').at(-2)).toBe('+ auth enable');
    expect(text.stdout).toContain('Plan: 12 to add, 0 to change, 0 to remove.');
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { changes: { op: string }[]; summary: Record<string, number> };
    expect(parsed.summary).toEqual({ add: 12, change: 0, remove: 0 });
    expect(parsed.changes.at(-1)).toEqual({ op: 'enable-auth', kind: 'add' });
  });

  it('refuses to apply off a terminal without --yes, and changes nothing', () => {
    // Act
    const run = warden(cluster, ['apply', policy]);

    // Assess: the plan is shown, then the refusal
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('Plan: 12 to add, 0 to change, 0 to remove.');
    expect(run.stderr).toContain('pass --yes');
    expect(warden(cluster, ['plan', policy, '--detailed-exitcode']).code).toBe(2);
  });

  it('applies, verifies, and then plans nothing (idempotent)', () => {
    // Act
    const apply = warden(cluster, ['apply', policy, '--yes']);
    const verify = warden(cluster, ['verify', policy, '--ca-store', caStore]);
    const again = warden(cluster, ['plan', policy, '--detailed-exitcode']);

    // Assess
    expect(besidesWarnings(apply.stderr)).toBe('');
    expect(apply.stdout).toContain('Applied 12 changes; etcd now matches the policy.');
    expect(apply.code).toBe(0);
    expect(verify.stdout).toMatch(/calico\s+inside\s+prefix "\/calico\/"\s+allowed\s+allowed/);
    expect(verify.stdout).toMatch(/calico\s+sibling\s+key "\/calico-etcd-warden-probe"\s+refused\s+refused/);
    expect(verify.stdout).toMatch(/calico\s+parent\s+prefix "\/"\s+refused\s+refused/);
    expect(verify.stdout).toMatch(/kube-apiserver\s+inside\s+prefix "\/registry\/"\s+allowed\s+allowed/);
    expect(verify.stdout).toMatch(/Verified: \d+ probes as 3 users, all as the policy says\./);
    expect(verify.code).toBe(0);
    expect(again.stdout).toBe('No changes: etcd matches the policy.\n');
    expect(again.code).toBe(0);
  });

  it('says No changes off a terminal without --yes once etcd matches: nothing to ask', () => {
    // Act
    const run = warden(cluster, ['apply', policy]);
    // Assess
    expect(besidesWarnings(run.stderr)).toBe('');
    expect(run.stdout).toBe('No changes: etcd matches the policy.\n');
    expect(run.code).toBe(0);
  });

  it('shows drift made by hand with etcdctl and reverts it', () => {
    // Prepare: an extra permission, an extra user, a deleted role, auth turned off.
    cluster.etcdctl('role', 'grant-permission', 'calico', 'read', '/registry/secrets/');
    cluster.etcdctl('user', 'add', 'intruder', '--no-password');
    cluster.etcdctl('role', 'delete', 'kubernetes-apiserver');
    cluster.etcdctl('auth', 'disable');

    // Act
    const plan = warden(cluster, ['plan', pruning, '--detailed-exitcode']);
    const verifyDrifted = warden(cluster, ['verify', pruning, '--ca-store', caStore]);
    const apply = warden(cluster, ['apply', pruning, '--yes']);
    const after = warden(cluster, ['plan', pruning, '--detailed-exitcode']);
    const verify = warden(cluster, ['verify', pruning, '--ca-store', caStore]);

    // Assess
    expect(plan.code).toBe(2);
    expect(plan.stdout.split('\n')).toEqual([
      '+ role kubernetes-apiserver',
      '+ permission kubernetes-apiserver: prefix "/registry/" readwrite',
      '+ role kubernetes-apiserver of user kube-apiserver',
      '- permission calico: key "/registry/secrets/" read',
      '- user intruder',
      '+ auth enable',
      'Plan: 4 to add, 0 to change, 2 to remove.',
      '',
    ]);
    expect(verifyDrifted.code).toBe(1);
    expect(verifyDrifted.stdout).toContain('MISMATCH');
    expect(apply.code).toBe(0);
    expect(after.code).toBe(0);
    expect(verify.code).toBe(0);
    expect(cluster.etcdctl('user', 'list')).not.toContain('intruder');
  });

  it('imports the applied cluster; the import applied to a fresh cluster plans empty there', () => {
    // Prepare
    const imported = join(cluster.dir, 'imported.yaml');

    // Act
    const run = warden(cluster, ['import', '--out', imported]);
    const toFresh = warden(fresh, ['apply', imported, '--yes']);
    const originalOnFresh = warden(fresh, ['plan', policy, '--detailed-exitcode']);
    const importedOnFresh = warden(fresh, ['plan', imported, '--detailed-exitcode']);
    const importedOnSource = warden(cluster, ['plan', imported, '--detailed-exitcode']);

    // Assess
    expect(run.code).toBe(0);
    const text = readFileSync(imported, 'utf8');
    expect(text).toContain('  calico:\n    - {prefix: /calico/, access: readwrite}\n');
    expect(text).toContain('  kube-apiserver:\n    roles: [kubernetes-apiserver, root]\n');
    expect(text).toContain('auth: enabled');
    expect(warden(cluster, ['validate', imported]).code).toBe(0);
    expect(toFresh.code).toBe(0);
    expect(importedOnFresh).toMatchObject({ code: 0, stdout: 'No changes: etcd matches the policy.\n' });
    expect(originalOnFresh).toMatchObject({ code: 0 });
    expect(importedOnSource).toMatchObject({ code: 0 });
  });

  it('refuses to overwrite a file on import without --force', () => {
    // Act
    const run = warden(cluster, ['import', '--out', policy]);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('exists: pass --force');
  });

  it('reports an unreachable etcd in one line, within the command timeout budget', () => {
    // Prepare: nothing listens on port 1.
    const started = Date.now();

    // Act
    const run = warden(cluster, ['plan', policy, '--command-timeout', '1s'], {
      ETCDCTL_ENDPOINTS: 'https://127.0.0.1:1',
    });

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^etcd-warden: cannot connect to etcd: https:\/\/127\.0\.0\.1:1: nothing listens there \(connection refused\)\n$/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
