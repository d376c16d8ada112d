// plan and apply straight against a real etcd (TLS, client-cert-auth, auth enabled by the apply)
// through the committed bundle, run from a copy of action/ with no node_modules reachable, so
// etcd3 and its service definitions must come from the bundle itself.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireApplyLock } from '../../shared/etcd/apply-lock.js';
import { rootClient } from '../rbac/cluster-client.js';
import { REPO } from '../support/cli.js';
import { type ClientFiles, type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { type ActionHome, actionHome } from './run-action.js';

interface PlanOutput {
  changes: { op: string; kind: string; role?: string; user?: string }[];
  summary: Record<string, number>;
}

describe('the Action: plan and apply direct to etcd', () => {
  let cluster: EtcdCluster;
  let home: ActionHome;
  let connection: Record<string, string>;
  let keyPem: string;

  beforeAll(async () => {
    cluster = await startEtcdCluster();
    home = actionHome();
    home.write(
      'etcd-warden.yaml',
      readFileSync(join(REPO, 'examples/calico-kubernetes-simple.yaml'), 'utf8'),
    );
    home.write(
      'invalid.yaml',
      'version: 1\nauth: enabled\nusers:\n  root:\n    roles: [root]\n  app:\n    roles: [missing]\n',
    );
    home.write('certs/ca.pem', readFileSync(cluster.caFile, 'utf8'));
    home.write('certs/root.pem', readFileSync(cluster.root.cert, 'utf8'));
    keyPem = readFileSync(cluster.root.key, 'utf8');
    // ca and cert as workspace paths, the key as PEM text the way a secret passes it.
    connection = {
      endpoints: cluster.endpoints.join(','),
      ca: 'certs/ca.pem',
      cert: 'certs/root.pem',
      key: keyPem,
    };
  });

  const etcdctlAs = (user: ClientFiles, ...args: string[]) =>
    spawnSync(
      'etcdctl',
      [
        `--endpoints=${cluster.endpoints.join(',')}`,
        `--cacert=${cluster.caFile}`,
        `--cert=${user.cert}`,
        `--key=${user.key}`,
        ...args,
      ],
      { env: { ...process.env, ETCDCTL_API: '3' }, encoding: 'utf8', timeout: 15_000 },
    );

  afterAll(async () => {
    home?.remove();
    await cluster?.stop();
  });

  it('plans the whole setup on a fresh cluster: outputs, a summary by role and user, server warnings, the key masked', async () => {
    // Act
    const run = await home.run({ command: 'plan', ...connection });

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.outputs.changes).toBe('12');
    const plan = JSON.parse(run.outputs.plan as string) as PlanOutput;
    expect(plan.summary).toEqual({ add: 12, change: 0, remove: 0 });
    expect(plan.changes.at(-1)).toEqual({ op: 'enable-auth', kind: 'add' });
    expect(run.summary).toContain('**Plan: 12 to add, 0 to change, 0 to remove.**');
    expect(run.summary).toContain('| Role or user | Add | Change | Remove | Changes |');
    expect(run.summary).toContain(
      '| role calico | 2 | 0 | 0 | + role calico<br>+ permission calico: prefix "/calico/" readwrite |',
    );
    expect(run.summary).toContain('| user kube-apiserver | 3 | 0 | 0 | + user kube-apiserver<br>');
    expect(run.summary).toContain('| auth | 1 | 0 | 0 | + auth enable |');
    expect(run.summary).toContain('via root');
    // The installed etcd 3.4 has known RBAC flaws: each is a warning annotation and in the summary.
    expect(run.stdout).toMatch(
      /^::warning::etcd 3\.4\.\d+ at https:\/\/127\.0\.0\.1:\d+ has GHSA-rfx7-8w68-q57q \(.*\); fixed in 3\.4\.42$/m,
    );
    expect(run.summary).toMatch(/### Warnings\n\n- etcd 3\.4\.\d+ at .* has GHSA-rfx7-8w68-q57q/);
    // Every line of the key is registered as a mask before anything else is printed.
    const body = keyPem.split('\n').filter((l) => l && !l.startsWith('-----'));
    for (const line of body) expect(run.stdout).toContain(`::add-mask::${line}\n`);
    const unmasked = run.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::'));
    for (const line of body) expect(unmasked.join('\n')).not.toContain(line);
    // Nothing changed in etcd.
    expect(cluster.etcdctl('role', 'list').trim()).toBe('');
  });

  it('refuses to apply an invalid policy and changes nothing', async () => {
    // Act
    const run = await home.run({ command: 'apply', policy: 'invalid.yaml', ...connection });

    // Assess
    expect(run.code).toBe(1);
    expect(run.annotations).toEqual([
      '::error file=invalid.yaml,line=7,col=13::role "missing" is not defined [undefined-role]',
    ]);
    expect(run.stdout).toContain('::error::invalid.yaml is invalid: 1 error; apply did not run\n');
    expect(run.outputs).toEqual({});
    expect(cluster.etcdctl('role', 'list').trim()).toBe('');
  });

  it('refuses to apply while another apply holds the lock: one line naming the holder, nothing changed', async () => {
    // Prepare: hold the lock the way a running apply does.
    const client = await rootClient(cluster);
    const holder = {
      identity: 'deployer',
      host: 'ci-runner-7',
      pid: 4242,
      since: '2026-01-01T00:00:00.000Z',
    };
    const lock = await acquireApplyLock(client, holder, { ttlSeconds: 5 });

    try {
      // Act
      const run = await home.run({ command: 'apply', ...connection, 'lock-timeout': '0' });

      // Assess
      expect(run.code).toBe(1);
      const message =
        'another apply holds the lock: "deployer" on ci-runner-7 (pid 4242) since 2026-01-01T00:00:00.000Z; nothing was changed';
      expect(run.stdout).toContain(`::error::${message}\n`);
      expect(run.summary).toContain(`❌ ${message}`);
      expect(run.outputs).toEqual({});
      expect(cluster.etcdctl('role', 'list').trim()).toBe('');
    } finally {
      await lock.release();
      client.close();
    }
  });

  it('applies, then a second plan reports 0 changes', async () => {
    // Act
    const apply = await home.run({ command: 'apply', ...connection });
    const again = await home.run({ command: 'plan', ...connection });

    // Assess
    expect(apply.code).toBe(0);
    expect(apply.outputs.changes).toBe('12');
    expect(apply.summary).toContain('**Applied 12 changes; etcd now matches the policy.**');
    expect(apply.summary).toContain('### Applied');
    expect(apply.summary).toContain(
      '| user calico | 2 | 0 | 0 | + user calico<br>+ role calico of user calico |',
    );
    expect(cluster.etcdctl('user', 'get', 'calico')).toContain('Roles: calico');
    // Auth is on: calico's own certificate reaches /calico/ and nothing else.
    const calico = await cluster.clientFiles('calico');
    expect(etcdctlAs(calico, 'put', '/calico/x', '1').status).toBe(0);
    const denied = etcdctlAs(calico, 'put', '/registry/x', '1');
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain('permission denied');
    expect(again.code).toBe(0);
    expect(again.outputs.changes).toBe('0');
    expect(JSON.parse(again.outputs.plan as string)).toEqual({
      changes: [],
      summary: { add: 0, change: 0, remove: 0 },
    });
    expect(again.summary).toContain('**No changes: etcd matches the policy.**');
  });

  it('applies nothing when etcd already matches', async () => {
    // Act
    const run = await home.run({ command: 'apply', ...connection });

    // Assess
    expect(run.code).toBe(0);
    expect(run.outputs.changes).toBe('0');
    expect(run.summary).toContain('**No changes: etcd matches the policy.**');
  });

  it('fails with one line and a summary when etcd cannot be reached, or the key input is unreadable', async () => {
    // Act
    const unreachable = await home.run(
      { command: 'plan', ...connection, endpoints: '127.0.0.1:1' },
      // A short dial timeout is not an input; the core's default bounds the wait.
    );
    const badKey = await home.run({ command: 'plan', ...connection, key: 'certs/absent-key.pem' });

    // Assess
    expect(unreachable.code).toBe(1);
    const failure = unreachable.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    expect(failure).toHaveLength(1);
    expect(unreachable.stdout).not.toMatch(/\n\s+at /);
    expect(unreachable.summary).toContain(
      `❌ ${(failure[0] as string).slice('::error::'.length).slice(0, 20)}`,
    );
    expect(badKey.code).toBe(1);
    expect(badKey.stdout).toContain(
      '::error::input "key" is neither PEM text nor a readable file (ENOENT)\n',
    );
  });
});
