// The PKI commands of the built CLI, run as separate processes in a scratch directory; every
// certificate they write is judged by openssl.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../support/cli.js';
import { openssl, opensslCsr, opensslKey, scratch, x509Fields } from '../support/openssl.js';
import {
  type FakeSecretsManager,
  fakeAwsEnv,
  startFakeSecretsManager,
} from '../support/secretsmanager-server.js';
import { POLICY_YAML, runCliAsync } from './cli-fixtures.js';
import { P256_KEY, privateKeyDetails, VERIFIED, verifyVerdict } from './verdicts.js';

let work: ReturnType<typeof scratch>;
let cwd: string;
const cli = (...args: string[]) => runCli(args, { cwd });

beforeAll(() => {
  work = scratch();
  cwd = work.dir;
  work.file('etcd-warden.yaml', POLICY_YAML);
});
afterAll(() => work.remove());

describe('ca init / ca show', () => {
  it('creates the CA once in file://.etcd-warden and refuses a second time without --force', () => {
    // Act
    const first = cli('ca', 'init');
    const caPem = readFileSync(join(cwd, '.etcd-warden', 'ca.pem'), 'utf8');
    const second = cli('ca', 'init');
    const afterSecond = readFileSync(join(cwd, '.etcd-warden', 'ca.pem'), 'utf8');
    const shown = cli('ca', 'show');

    // Assess
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^created CA "cli test CA" \(ECDSA P-256, serial [0-9a-f]{32}, valid until \d{4}-.*\) in file:\/\/.*\.etcd-warden\n$/,
    );
    expect(statSync(join(cwd, '.etcd-warden', 'ca-key.pem')).mode & 0o777).toBe(0o600);
    expect(verifyVerdict(caPem, caPem, 'any')).toEqual(VERIFIED);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      /^etcd-warden: a CA already exists in file:\/\/.*; refusing to overwrite it \(use --force to replace it\)\n$/,
    );
    expect(afterSecond).toBe(caPem);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toBe(caPem);
  });

  it('rejects unknown flags and stray arguments as usage errors', () => {
    // Act
    const flag = cli('ca', 'show', '--bogus');
    const stray = cli('ca', 'init', 'extra');

    // Assess
    expect(flag.code).toBe(2);
    expect(flag.stderr).toBe(
      'etcd-warden: unknown option --bogus for ca show\nusage: etcd-warden ca show [--ca-store URL]\n',
    );
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('ca init takes no arguments (got extra)');
  });
});

describe('cert issue', () => {
  it('writes a member certificate, its 0600 key and the CA, valid for server and client use', () => {
    // Act
    const run = cli('cert', 'issue', 'etcd-1', '--out', 'pki');

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^issued member \(server\+peer\) certificate for etcd-1: serial [0-9a-f]{32}, valid until .*\nwrote pki\/etcd-1.pem, pki\/etcd-1-key.pem, pki\/ca.pem\n$/,
    );
    const caPem = readFileSync(join(cwd, 'pki', 'ca.pem'), 'utf8');
    const certPem = readFileSync(join(cwd, 'pki', 'etcd-1.pem'), 'utf8');
    expect(verifyVerdict(caPem, certPem, 'sslserver')).toEqual(VERIFIED);
    expect(verifyVerdict(caPem, certPem, 'sslclient')).toEqual(VERIFIED);
    expect(statSync(join(cwd, 'pki', 'etcd-1-key.pem')).mode & 0o777).toBe(0o600);
    expect(openssl(['pkey', '-noout', '-in', join(cwd, 'pki', 'etcd-1-key.pem')]).code).toBe(0);
    expect(privateKeyDetails(readFileSync(join(cwd, 'pki', 'etcd-1-key.pem'), 'utf8'))).toEqual(P256_KEY);
  });

  it('signs a CSR for a user with a shorter TTL and keeps its key out of the output directory', () => {
    // Prepare
    const csr = work.file(
      'app.csr',
      opensslCsr(opensslKey('ec:P-256'), '/CN=app', { addext: ['subjectAltName=DNS:evil.example'] }),
    );

    // Act
    const run = cli('cert', 'issue', 'app', '--csr', csr, '--out', 'app-out', '--ttl', '2h');

    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      'note: ignored from the CSR (the policy decides subject, SANs and usages): extension subjectAltName\n',
    );
    expect(readdirSync(join(cwd, 'app-out')).sort()).toEqual(['app.pem', 'ca.pem']);
    const certPem = readFileSync(join(cwd, 'app-out', 'app.pem'), 'utf8');
    expect(x509Fields(certPem, ['-subject', '-nameopt', 'RFC2253'])).toBe('subject=CN=app\n');
    const [start, end] = x509Fields(certPem, ['-startdate', '-enddate'])
      .trim()
      .split('\n')
      .map((l) => Date.parse(l.split('=')[1] as string));
    expect((end as number) - (start as number)).toBe((2 * 3600 + 300) * 1000);
  });

  it('refuses names outside the policy, TTLs above the limit and bad CSRs, writing nothing', () => {
    // Prepare
    const wrongCn = work.file('root.csr', opensslCsr(opensslKey('ec:P-256'), '/CN=root'));
    const weak = work.file('weak.csr', opensslCsr(opensslKey('rsa:1024'), '/CN=app'));

    // Act
    const runs = [
      cli('cert', 'issue', 'mallory', '--out', 'refused'),
      cli('cert', 'issue', 'app', '--ttl', '48h', '--out', 'refused'),
      cli('cert', 'issue', 'app', '--csr', wrongCn, '--out', 'refused'),
      cli('cert', 'issue', 'app', '--csr', weak, '--out', 'refused'),
      cli('cert', 'issue', 'app', '--csr', 'missing.csr', '--out', 'refused'),
      cli('cert', 'issue', 'app', '--ttl', 'soon', '--out', 'refused'),
    ];

    // Assess
    expect(runs.map((r) => r.code)).toEqual([1, 1, 1, 1, 1, 2]);
    expect(runs.map((r) => r.stderr.split('\n')[0])).toEqual([
      'etcd-warden: "mallory" is neither a user nor a member in the policy; no certificate issued',
      'etcd-warden: a TTL of 48h is above users.app.certificate.ttl (24h)',
      'etcd-warden: the CSR\'s common name "root" does not match the requested name "app"',
      "etcd-warden: the CSR's key is RSA 1024: RSA keys need at least 2048 bits",
      `etcd-warden: cannot read CSR ${join(cwd, 'missing.csr')}: no such file`,
      'etcd-warden: --ttl "soon" is not a duration of at least 1s, such as 90s, 24h, 1h30m or 30d',
    ]);
    expect(existsSync(join(cwd, 'refused'))).toBe(false);
  });
});

describe('ca crl', () => {
  it('writes the CRL of the policy’s revoked serials, signed by the CA', () => {
    // Act
    const run = cli('ca', 'crl', '--out', 'crl.pem');

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^wrote CRL \d+ \(1 revoked serial, next update .*\) to crl.pem\n$/);
    const check = openssl([
      'crl',
      '-in',
      join(cwd, 'crl.pem'),
      '-noout',
      '-verify',
      '-text',
      '-CAfile',
      join(cwd, '.etcd-warden', 'ca.pem'),
    ]);
    expect(check.code).toBe(0);
    expect(check.stderr.trim()).toBe('verify OK');
    expect(check.stdout).toContain('Serial Number: 1F');
  });
});

describe('render', () => {
  beforeAll(() => {
    expect(cli('cert', 'issue', 'app', '--out', 'render').code).toBe(0);
    expect(cli('cert', 'issue', 'etcd-1', '--out', 'render').code).toBe(0);
  });

  it('k8s-secret holds the issued files base64-encoded under Calico’s key names', () => {
    // Act
    const run = cli('render', 'app', '--format', 'k8s-secret', '--dir', 'render');

    // Assess
    expect(run.code).toBe(0);
    const secret = parse(run.stdout);
    expect(secret.kind).toBe('Secret');
    expect(secret.metadata).toEqual({ name: 'calico-etcd-secrets', namespace: 'kube-system' });
    const decoded = (k: string) => Buffer.from(secret.data[k], 'base64').toString('utf8');
    expect(decoded('etcd-cert')).toBe(readFileSync(join(cwd, 'render', 'app.pem'), 'utf8'));
    expect(decoded('etcd-key')).toBe(readFileSync(join(cwd, 'render', 'app-key.pem'), 'utf8'));
    expect(decoded('etcd-ca')).toBe(readFileSync(join(cwd, 'render', 'ca.pem'), 'utf8'));
  });

  it('etcd-flags point a member at its files with client and peer certificate auth', () => {
    // Prepare
    const dir = join(cwd, 'render');

    // Act
    const run = cli('render', 'etcd-1', '--format', 'etcd-flags', '--dir', 'render');

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([
      '--name=etcd-1',
      `--cert-file=${dir}/etcd-1.pem`,
      `--key-file=${dir}/etcd-1-key.pem`,
      `--trusted-ca-file=${dir}/ca.pem`,
      '--client-cert-auth=true',
      `--peer-cert-file=${dir}/etcd-1.pem`,
      `--peer-key-file=${dir}/etcd-1-key.pem`,
      `--peer-trusted-ca-file=${dir}/ca.pem`,
      '--peer-client-cert-auth=true',
      '--advertise-client-urls=https://127.0.0.1:2379',
      '--initial-advertise-peer-urls=https://127.0.0.1:2380',
      '--listen-client-urls=https://127.0.0.1:2379',
      '--listen-peer-urls=https://127.0.0.1:2380',
    ]);
  });

  it('apiserver-flags and calicoctl use the policy’s members as endpoints unless told', () => {
    // Prepare
    const dir = join(cwd, 'render');

    // Act
    const apiserver = cli('render', 'app', '--format', 'apiserver-flags', '--dir', 'render');
    const calicoctl = cli(
      'render',
      'app',
      '--format',
      'calicoctl',
      '--dir',
      'render',
      '--endpoints',
      'https://10.0.0.1:2379,https://10.0.0.2:2379',
    );

    // Assess
    expect(apiserver.stdout).toBe(
      `--etcd-servers=https://127.0.0.1:2379\n--etcd-cafile=${dir}/ca.pem\n--etcd-certfile=${dir}/app.pem\n--etcd-keyfile=${dir}/app-key.pem\n`,
    );
    expect(parse(calicoctl.stdout)).toEqual({
      apiVersion: 'projectcalico.org/v3',
      kind: 'CalicoAPIConfig',
      metadata: {},
      spec: {
        datastoreType: 'etcdv3',
        etcdEndpoints: 'https://10.0.0.1:2379,https://10.0.0.2:2379',
        etcdKeyFile: `${dir}/app-key.pem`,
        etcdCertFile: `${dir}/app.pem`,
        etcdCACertFile: `${dir}/ca.pem`,
      },
    });
  });

  it('refuses a member certificate for a component, a client one for etcd, and unknown formats', () => {
    // Act
    const memberAsClient = cli('render', 'etcd-1', '--format', 'calicoctl', '--dir', 'render');
    const clientAsMember = cli('render', 'app', '--format', 'etcd-flags', '--dir', 'render');
    const unknown = cli('render', 'app', '--format', 'helm', '--dir', 'render');
    const missing = cli('render', 'nobody', '--format', 'calicoctl', '--dir', 'render');

    // Assess
    expect(memberAsClient.stderr).toBe(
      'etcd-warden: etcd-1 has a member certificate; calicoctl needs a client certificate\n',
    );
    expect(clientAsMember.stderr).toBe(
      'etcd-warden: app has a client certificate; etcd-flags needs a member certificate\n',
    );
    expect(unknown.stderr.split('\n')[0]).toBe(
      'etcd-warden: --format must be one of k8s-secret, etcd-flags, apiserver-flags, calicoctl',
    );
    expect(missing.stderr).toContain('nobody.pem: no such file (run `etcd-warden cert issue` first)');
    expect([memberAsClient.code, clientAsMember.code, unknown.code, missing.code]).toEqual([1, 1, 2, 1]);
  });
});

describe('with the CA in Secrets Manager', () => {
  let fake: FakeSecretsManager;
  beforeAll(async () => {
    fake = await startFakeSecretsManager();
  });
  afterAll(() => fake.close());

  it('ca init stores it, cert issue and ca show read it, through the real SDK', async () => {
    // Prepare
    const env = fakeAwsEnv(fake.endpoint);
    const store = 'secretsmanager://prod/etcd-ca';

    // Act
    const init = await runCliAsync(['ca', 'init', '--ca-store', store], { cwd, env });
    const again = await runCliAsync(['ca', 'init', '--ca-store', store], { cwd, env });
    const issue = await runCliAsync(['cert', 'issue', 'app', '--ca-store', store, '--out', 'sm'], {
      cwd,
      env,
    });
    const show = await runCliAsync(['ca', 'show', '--ca-store', store], { cwd, env });

    // Assess
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('in secretsmanager://prod/etcd-ca');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('a CA already exists in secretsmanager://prod/etcd-ca');
    expect(issue.code).toBe(0);
    expect(show.stdout).toBe(JSON.parse(fake.valueOf('prod/etcd-ca') as string).certificate);
    expect(verifyVerdict(show.stdout, readFileSync(join(cwd, 'sm', 'app.pem'), 'utf8'), 'sslclient')).toEqual(
      VERIFIED,
    );
    expect(fake.requests.map((r) => r.operation)).toEqual([
      'GetSecretValue',
      'CreateSecret',
      'GetSecretValue',
      'GetSecretValue',
      'GetSecretValue',
    ]);
  });
});
