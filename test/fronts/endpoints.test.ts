// One endpoint rule set on every front: each refuses a plain-HTTP etcd endpoint with the same
// words, before it reads a certificate or reaches anything. The CLI, serve, the Action and apply-rbac run
// as their built bundles; the CDK app's settings are read as the app reads them.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { settingsFromContext } from '../../infra/config.js';
import { type ActionHome, actionHome } from '../action/run-action.js';
import { capturingStdout, removeStagedBundles, stageBundle, withEnv } from '../functions/bundles.js';
import { REPO, runCli } from '../support/cli.js';

const PLAIN = 'http://127.0.0.1:2379';
const REFUSAL = `"${PLAIN}" is plain HTTP; etcd-warden talks to etcd over TLS only`;
const POLICY = join(REPO, 'examples/calico-kubernetes-simple.yaml');
const NO_FILE = '/nonexistent/never-read.pem';

let home: ActionHome | undefined;
afterAll(() => {
  home?.remove();
  removeStagedBundles();
});

describe('a plain-HTTP etcd endpoint', () => {
  it('is refused by the CLI, from --endpoints and from ETCDCTL_ENDPOINTS, in one line', () => {
    // Act
    const tls = ['--cacert', NO_FILE, '--cert', NO_FILE, '--key', NO_FILE];
    const fromFlag = runCli(['plan', POLICY, '--endpoints', PLAIN, ...tls]);
    const fromEnv = runCli(['plan', POLICY, ...tls], {
      env: { ETCDCTL_ENDPOINTS: `https://127.0.0.1:1,${PLAIN}` },
    });
    // Assess
    expect(fromFlag).toMatchObject({ code: 1, stdout: '', stderr: `etcd-warden: --endpoints: ${REFUSAL}\n` });
    expect(fromEnv).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `etcd-warden: ETCDCTL_ENDPOINTS: ${REFUSAL}\n`,
    });
  });

  it('is refused by serve before it listens', () => {
    // Act
    const run = runCli(['serve', '--port', '0', '--endpoints', PLAIN], { timeoutMs: 20_000 });
    // Assess
    expect(run).toMatchObject({ code: 1, stdout: '', stderr: `etcd-warden: --endpoints: ${REFUSAL}\n` });
  });

  it('is refused by the Action in direct mode', async () => {
    // Prepare
    home = actionHome();
    home.write('etcd-warden.yaml', 'version: 1\nauth: disabled\n');
    // Act
    const run = await home.run({
      command: 'plan',
      endpoints: PLAIN,
      ca: NO_FILE,
      cert: NO_FILE,
      key: NO_FILE,
    });
    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`::error::input "endpoints": ${REFUSAL}\n`);
  });

  it('is refused by apply-rbac configured with it, as an error result', async () => {
    // Act
    const { result } = await withEnv(
      { ETCD_ENDPOINTS: PLAIN, CA_SECRET_ID: 'warden/ca', POLICY_SECRET_ID: 'warden/policy' },
      () => {
        const { handler } = stageBundle<(event: unknown) => Promise<unknown>>('apply-rbac');
        return capturingStdout(() => handler({ command: 'plan' }));
      },
    );
    // Assess
    expect(result).toEqual({ error: { code: 'invalid-input', message: `ETCD_ENDPOINTS: ${REFUSAL}` } });
  });

  it("is refused by the CDK app's settings", () => {
    // Act
    const read = () => settingsFromContext((key) => (key === 'etcdEndpoints' ? PLAIN : undefined));
    // Assess
    expect(read).toThrow(`etcdEndpoints: ${REFUSAL}`);
  });
});
