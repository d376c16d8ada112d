// Invariant 6: a private key never appears in a log line, an error or an output other than the
// one that asked for it. Every PKI command is run on good and bad input, and every byte it prints
// is searched for fragments of every private key involved (PEM base64 and DER hex).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsManagerCaStore } from '../../shared/castore/index.js';
import { createCa, loadCa, nodePkiContext, parseCsr } from '../../shared/pki/index.js';
import { runCli } from '../support/cli.js';
import { opensslKey, scratch } from '../support/openssl.js';
import {
  type FakeSecretsManager,
  fakeAwsEnv,
  startFakeSecretsManager,
} from '../support/secretsmanager-server.js';
import { POLICY_YAML, runCliAsync } from './cli-fixtures.js';
import { caSpec } from './fixtures.js';

const ctx = nodePkiContext();

/** 16-character pieces of the key's base64 body and 32-character pieces of its DER in hex. */
function fragments(keyPem: string): string[] {
  const body = keyPem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  const hex = Buffer.from(body, 'base64').toString('hex');
  const pieces: string[] = [];
  for (let i = 0; i + 16 <= body.length; i += 16) pieces.push(body.slice(i, i + 16));
  for (let i = 0; i + 32 <= hex.length; i += 32)
    pieces.push(hex.slice(i, i + 32), hex.slice(i, i + 32).toUpperCase());
  return pieces;
}

function leaks(output: string, keys: string[]): string[] {
  const found = keys.flatMap((k) => fragments(k).filter((f) => output.includes(f)));
  if (output.includes('PRIVATE KEY')) found.push('PRIVATE KEY');
  return found;
}

let work: ReturnType<typeof scratch>;
let cwd: string;
let fake: FakeSecretsManager;
const outputs: { label: string; text: string }[] = [];
const keys: string[] = [];
const record = (label: string, run: { stdout: string; stderr: string }) =>
  outputs.push({ label, text: run.stdout + run.stderr });
const cli = (label: string, ...args: string[]) => {
  const run = runCli(args, { cwd });
  record(label, run);
  return run;
};

beforeAll(async () => {
  work = scratch();
  cwd = work.dir;
  fake = await startFakeSecretsManager();
  work.file('etcd-warden.yaml', POLICY_YAML);
  expect(cli('ca init', 'ca', 'init').code).toBe(0);
  keys.push(readFileSync(join(cwd, '.etcd-warden', 'ca-key.pem'), 'utf8'));
});
afterAll(async () => {
  work.remove();
  await fake.close();
});

describe('no private key in any output', () => {
  it('of the CLI on good and bad input', async () => {
    // Prepare: a truncated CA key, a CA key of another CA, a private key passed as a CSR
    const caKey = keys[0] as string;
    const other = await createCa(caSpec(), ctx);
    keys.push(other.privateKeyPem);
    for (const [dir, key] of [
      ['truncated', caKey.slice(0, Math.floor(caKey.length / 2))],
      ['mismatched', other.privateKeyPem],
      ['garbage-key', caKey.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!')],
    ] as const) {
      mkdirSync(join(cwd, dir), { mode: 0o700 });
      copyFileSync(join(cwd, '.etcd-warden', 'ca.pem'), join(cwd, dir, 'ca.pem'));
      writeFileSync(join(cwd, dir, 'ca-key.pem'), key, { mode: 0o600 });
    }
    const userKey = opensslKey('ec:P-256');
    keys.push(userKey);
    const keyAsCsr = work.file('key-as.csr', userKey);
    const env = fakeAwsEnv(fake.endpoint);

    // Act
    cli('ca init again', 'ca', 'init');
    cli('ca show', 'ca', 'show');
    cli('ca crl', 'ca', 'crl');
    const issued = cli('cert issue', 'cert', 'issue', 'app', '--out', 'out');
    keys.push(readFileSync(join(cwd, 'out', 'app-key.pem'), 'utf8'));
    cli('cert issue member', 'cert', 'issue', 'etcd-1', '--out', 'out');
    keys.push(readFileSync(join(cwd, 'out', 'etcd-1-key.pem'), 'utf8'));
    cli('key as CSR', 'cert', 'issue', 'app', '--csr', keyAsCsr);
    cli('CA key as CSR', 'cert', 'issue', 'app', '--csr', join(cwd, '.etcd-warden', 'ca-key.pem'));
    for (const dir of ['truncated', 'mismatched', 'garbage-key']) {
      cli(`${dir} CA key`, 'cert', 'issue', 'app', '--ca-store', `file://${dir}`, '--out', 'never');
      cli(`${dir} CA key crl`, 'ca', 'crl', '--ca-store', `file://${dir}`);
    }
    cli('key as policy', 'cert', 'issue', 'app', '--policy', keyAsCsr);
    cli('CA key as policy', 'validate', join(cwd, '.etcd-warden', 'ca-key.pem'));
    cli('render calicoctl', 'render', 'app', '--format', 'calicoctl', '--dir', 'out');
    cli('render apiserver', 'render', 'app', '--format', 'apiserver-flags', '--dir', 'out');
    cli('render etcd-flags', 'render', 'etcd-1', '--format', 'etcd-flags', '--dir', 'out');
    cli('render wrong', 'render', 'etcd-1', '--format', 'k8s-secret', '--dir', 'out');
    record(
      'sm init',
      await runCliAsync(['ca', 'init', '--ca-store', 'secretsmanager://leak/ca'], { cwd, env }),
    );
    keys.push(JSON.parse(fake.valueOf('leak/ca') as string).privateKey);
    record(
      'sm issue',
      await runCliAsync(['cert', 'issue', 'app', '--ca-store', 'secretsmanager://leak/ca', '--out', 'sm'], {
        cwd,
        env,
      }),
    );
    keys.push(readFileSync(join(cwd, 'sm', 'app-key.pem'), 'utf8'));
    fake.throttleNext(100);
    record(
      'sm throttled',
      await runCliAsync(['cert', 'issue', 'app', '--ca-store', 'secretsmanager://leak/ca'], {
        cwd,
        env,
        timeoutMs: 60_000,
      }),
    );
    fake.throttleNext(0);

    // Assess: the probes ran (some succeeded, some failed), and nothing printed holds key material
    expect(issued.code).toBe(0);
    expect(outputs.length).toBe(23);
    expect(outputs.find((o) => o.label === 'key as policy')?.text).toContain('(PEM data, not shown)');
    expect(outputs.find((o) => o.label === 'truncated CA key')?.text).toContain(
      'the CA private key is not a readable unencrypted PEM private key',
    );
    expect(outputs.find((o) => o.label === 'mismatched CA key')?.text).toContain(
      'the CA private key does not belong to the CA certificate',
    );
    expect(outputs.find((o) => o.label === 'key as CSR')?.text).toContain(
      'the CSR is not PEM (expected -----BEGIN CERTIFICATE REQUEST-----); it holds a private key block',
    );
    expect(outputs.find((o) => o.label === 'sm throttled')?.text).toContain(
      '(ThrottlingException); try again',
    );
    expect(
      outputs.map((o) => ({ label: o.label, leaks: leaks(o.text, keys) })).filter((o) => o.leaks.length > 0),
    ).toEqual([]);
  });

  it('of core errors about keys, CSRs and stored secrets', async () => {
    // Prepare
    const made = await createCa(caSpec(), ctx);
    const half = made.privateKeyPem.slice(0, 120);
    fake.createEmpty('leak/bad');
    const saved = { ...process.env };
    Object.assign(process.env, fakeAwsEnv(fake.endpoint));
    const store = secretsManagerCaStore('leak/bad');
    await new SecretsManagerClient({}).send(
      new PutSecretValueCommand({
        SecretId: 'leak/bad',
        SecretString: JSON.stringify({ format: 'other', privateKey: made.privateKeyPem }),
      }),
    );

    // Act
    const messages: string[] = [];
    const capture = async (f: () => unknown) => {
      try {
        await f();
        messages.push('no error');
      } catch (error) {
        messages.push(`${(error as Error).message}\n${(error as Error).stack ?? ''}`);
      }
    };
    await capture(() => loadCa({ certificatePem: made.certificatePem, privateKeyPem: half }, ctx));
    await capture(() =>
      loadCa({ certificatePem: made.privateKeyPem, privateKeyPem: made.privateKeyPem }, ctx),
    );
    await capture(() => parseCsr(made.privateKeyPem));
    await capture(() =>
      parseCsr(new Uint8Array(Buffer.from(made.privateKeyPem.replace(/-----[A-Z ]+-----/g, ''), 'base64'))),
    );
    await capture(() => store.load());
    process.env = saved;

    // Assess
    expect(messages).toHaveLength(5);
    expect(messages.map((m) => m.split('\n')[0])).toEqual([
      'the CA private key is not a readable unencrypted PEM private key',
      'the CA certificate is not PEM (expected -----BEGIN CERTIFICATE-----); it holds a private key block',
      'the CSR is not PEM (expected -----BEGIN CERTIFICATE REQUEST-----); it holds a private key block',
      "the CSR's request info is not a SEQUENCE",
      'secretsmanager://leak/bad does not hold an etcd-warden CA (expected JSON with format etcd-warden-ca/v1)',
    ]);
    expect(messages.flatMap((m) => leaks(m, [made.privateKeyPem]))).toEqual([]);
  });
});
