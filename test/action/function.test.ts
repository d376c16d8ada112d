// plan and apply through `function-name`: the committed bundle invokes apply-rbac with the real
// @aws-sdk/client-lambda, reaching `etcd-warden serve` (the Lambda Invoke API on 127.0.0.1) through
// AWS_ENDPOINT_URL_LAMBDA; serve runs the same handler Lambda runs, against a real etcd.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caStoreFor } from '../rbac/cli-env.js';
import { REPO } from '../support/cli.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { type ActionHome, actionHome } from './run-action.js';

const SERVE_START_MS = 20_000;
// The AWS SDK warns on Node 20 that it will soon need 22; the runner runs the Action on Node 24.
const NODE_20_NOTICE =
  /\(node:\d+\) Warning: NodeVersionSupportWarning:[\s\S]*?\(Use `node --trace-warnings \.\.\.` to show where the warning was created\)\n/g;
const unexpectedStderr = (stderr: string): string => stderr.replace(NODE_20_NOTICE, '');
const SERVE_STOP_MS = 5_000;

interface Serve {
  child: ChildProcess;
  url: string;
  log: () => string;
}

// The workflow's AWS credentials; serve knows them as the deploy role, allowed to invoke apply-rbac.
const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

function startServe(cluster: EtcdCluster, caStore: string): Promise<Serve> {
  const credentials = join(cluster.dir, 'serve-credentials.json');
  writeFileSync(
    credentials,
    JSON.stringify({
      [ACCESS_KEY_ID]: {
        secretAccessKey: SECRET_ACCESS_KEY,
        principal: 'arn:aws:iam::123456789012:role/github-deploy',
        invoke: ['apply-rbac'],
      },
    }),
    { mode: 0o600 },
  );
  const child = spawn(
    process.execPath,
    [
      join(REPO, 'bin/etcd-warden.js'),
      'serve',
      '--port',
      '0',
      '--ca-store',
      caStore,
      '--endpoints',
      cluster.endpoints.join(','),
      '--credentials',
      credentials,
    ],
    { cwd: cluster.dir, env: { ...process.env, NO_COLOR: '1' } },
  );
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not start: ${stdout}${stderr}`));
    }, SERVE_START_MS);
    child.stdout?.on('data', (d) => {
      stdout += d;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, log: () => stderr });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${stdout}${stderr}`));
    });
  });
}

async function stopServe(serve: Serve | undefined): Promise<void> {
  if (!serve || serve.child.exitCode !== null) return;
  const exited = new Promise((resolve) => serve.child.once('exit', resolve));
  serve.child.kill('SIGTERM');
  const timer = setTimeout(() => serve.child.kill('SIGKILL'), SERVE_STOP_MS);
  await exited;
  clearTimeout(timer);
}

describe('the Action: plan and apply through the apply-rbac function', () => {
  let cluster: EtcdCluster;
  let serve: Serve;
  let home: ActionHome;
  let aws: NodeJS.ProcessEnv;
  const FUNCTION = 'etcd-warden-apply-rbac';

  beforeAll(async () => {
    cluster = await startEtcdCluster();
    serve = await startServe(cluster, await caStoreFor(cluster));
    home = actionHome();
    home.write(
      'etcd-warden.yaml',
      readFileSync(join(REPO, 'examples/calico-kubernetes-simple.yaml'), 'utf8'),
    );
    home.write(
      'invalid.yaml',
      'version: 1\nauth: enabled\nusers:\n  root:\n    roles: [root]\n  app:\n    roles: [missing]\n',
    );
    // What aws-actions/configure-aws-credentials leaves for the next steps (OIDC in real runs).
    aws = {
      AWS_ENDPOINT_URL_LAMBDA: serve.url,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
      AWS_SESSION_TOKEN: 'session-token-from-oidc',
    };
  });

  afterAll(async () => {
    home?.remove();
    await stopServe(serve);
    await cluster?.stop();
  });

  it("plans through the function: outputs, the servers' warnings and a summary naming it, etcd untouched", async () => {
    // Act
    const run = await home.run({ command: 'plan', 'function-name': FUNCTION }, aws);

    // Assess
    expect(unexpectedStderr(run.stderr)).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs.changes).toBe('12');
    const plan = JSON.parse(run.outputs.plan as string) as { changes: { op: string }[]; summary: object };
    expect(plan.summary).toEqual({ add: 12, change: 0, remove: 0 });
    expect(plan.changes.at(-1)).toEqual({ op: 'enable-auth', kind: 'add' });
    expect(run.summary).toContain(`via function ${FUNCTION}.`);
    // The installed etcd 3.4 has known RBAC flaws: each is a warning annotation and in the summary.
    expect(run.stdout).toMatch(
      /^::warning::etcd 3\.4\.\d+ at https:\/\/127\.0\.0\.1:\d+ has GHSA-rfx7-8w68-q57q \(.*\); fixed in 3\.4\.42$/m,
    );
    expect(run.summary).toMatch(/### Warnings\n\n- etcd 3\.4\.\d+ at .* has GHSA-rfx7-8w68-q57q/);
    // serve logs each invocation of apply-rbac (so an absent line means it was not invoked).
    expect(serve.log()).toContain('"planned"');
    expect(run.summary).toContain(
      '| user calico | 2 | 0 | 0 | + user calico<br>+ role calico of user calico |',
    );
    expect(cluster.etcdctl('role', 'list').trim()).toBe('');
  });

  it('refuses to send an invalid policy to the function', async () => {
    // Prepare
    const logBefore = serve.log().length;

    // Act
    const run = await home.run({ command: 'apply', policy: 'invalid.yaml', 'function-name': FUNCTION }, aws);

    // Assess
    expect(run.code).toBe(1);
    expect(run.annotations).toEqual([
      '::error file=invalid.yaml,line=7,col=13::role "missing" is not defined [undefined-role]',
    ]);
    expect(run.stdout).toContain('::error::invalid.yaml is invalid: 1 error; apply did not run\n');
    expect(serve.log().slice(logBefore)).toBe('');
    expect(cluster.etcdctl('role', 'list').trim()).toBe('');
  });

  it('applies through the function, then a second plan reports 0 changes', async () => {
    // Act
    const apply = await home.run({ command: 'apply', 'function-name': FUNCTION }, aws);
    const again = await home.run({ command: 'plan', 'function-name': FUNCTION }, aws);

    // Assess
    expect(unexpectedStderr(apply.stderr)).toBe('');
    expect(apply.code).toBe(0);
    expect(apply.outputs.changes).toBe('12');
    expect(apply.summary).toContain('**Applied 12 changes; etcd now matches the policy.**');
    expect(apply.stdout).toMatch(/^::warning::etcd 3\.4\.\d+ at .* has GHSA-rfx7-8w68-q57q/m);
    expect(cluster.etcdctl('user', 'get', 'kube-apiserver')).toMatch(/Roles: .*kubernetes-apiserver/);
    expect(again.code).toBe(0);
    expect(again.outputs.changes).toBe('0');
    expect(again.summary).toContain('**No changes: etcd matches the policy.**');
  });

  it('reports an unknown function or no region as one line and a summary', async () => {
    // Act
    const unknown = await home.run({ command: 'plan', 'function-name': 'no-such-function' }, aws);
    const noRegion = await home.run(
      { command: 'plan', 'function-name': FUNCTION },
      { ...aws, AWS_REGION: '' },
    );

    // Assess
    expect(unknown.code).toBe(1);
    expect(unknown.stdout).toMatch(
      /^::error::cannot invoke no-such-function: Function not found: no-such-function$/m,
    );
    expect(unknown.summary).toContain('❌ cannot invoke no-such-function');
    expect(noRegion.code).toBe(1);
    expect(noRegion.stdout).toMatch(
      /^::error::function-name needs an AWS region: set AWS_REGION \(aws-actions\/configure-aws-credentials does\)$/m,
    );
    for (const run of [unknown, noRegion]) expect(run.stdout).not.toMatch(/\n\s+at /);
  });
});
