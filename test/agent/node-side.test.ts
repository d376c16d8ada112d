// The node side on the built CLI, against real etcd and real serve: `cert request` fills in the
// instance id from an IMDSv2 stand-in and signs with the SDK's credential chain; `agent` renews a
// short-lived certificate, runs its hook once per renewal, backs off while serve is down and never
// replaces good files with an answer that fails the checks.
import { spawn, spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CertificateAuthority,
  createCa,
  nodePkiContext,
  parseCsr,
  signCertificate,
} from '../../shared/pki/index.js';
import { caSpec } from '../pki/fixtures.js';
import { BIN, caStoreFor, warden } from '../rbac/cli-env.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { type ServeProcess, startServe } from '../support/serve.js';

const INSTANCE = 'i-0123456789abcdef0';
const OTHER_INSTANCE = 'i-0fedcba9876543210';
const NODE_USER = `calico-node-${INSTANCE}`;
const KEYS = {
  node: {
    id: 'AKIANODEINSTANCEA01',
    secret: 'node-a-secret-key-0001',
    principal: `arn:aws:sts::123456789012:assumed-role/k8s-node/${INSTANCE}`,
  },
  otherNode: {
    id: 'AKIANODEINSTANCEB01',
    secret: 'node-b-secret-key-0001',
    principal: `arn:aws:sts::123456789012:assumed-role/k8s-node/${OTHER_INSTANCE}`,
  },
  app: {
    id: 'AKIAAPPRUNNERAGENT1',
    secret: 'app-runner-secret-0001',
    principal: 'arn:aws:sts::123456789012:assumed-role/app-runner/agent',
  },
};

const POLICY = `version: 1
roles:
  app: [{ prefix: /app/, access: readwrite }]
users:
  root: { roles: [root] }
  app:
    roles: [app]
    certificate: { ttl: 1h, requesters: ["arn:aws:sts::123456789012:assumed-role/app-runner/*"] }
templates:
  node:
    user: "calico-node-{instanceId}"
    roles: [app]
    certificate: { ttl: 1h, requesters: ["arn:aws:sts::123456789012:assumed-role/k8s-node/{instanceId}"] }
`;

let cluster: EtcdCluster;
let serve: ServeProcess;
let servePort = 0;
let imds: Server;
let imdsUrl = '';
let serveArgs: string[] = [];

const listen = (server: Server) =>
  new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );

/** IMDSv2 as EC2 serves it: a session token by PUT, then the instance id for that token only. */
function fakeImds(): Server {
  return createServer((req: IncomingMessage, res) => {
    if (
      req.method === 'PUT' &&
      req.url === '/latest/api/token' &&
      req.headers['x-aws-ec2-metadata-token-ttl-seconds']
    ) {
      res.end('imds-session-token');
    } else if (
      req.url === '/latest/meta-data/instance-id' &&
      req.headers['x-aws-ec2-metadata-token'] === 'imds-session-token'
    ) {
      res.end(INSTANCE);
    } else {
      res.statusCode = 401;
      res.end();
    }
  });
}

const env = (key: { id: string; secret: string }) => ({
  AWS_ACCESS_KEY_ID: key.id,
  AWS_SECRET_ACCESS_KEY: key.secret,
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_SERVICE_ENDPOINT: imdsUrl,
  AWS_CONFIG_FILE: '/nonexistent',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
});

interface Running extends Promise<{ code: number | null; stdout: string; stderr: string }> {
  child: ReturnType<typeof spawn>;
}

/** The built CLI on the node, as a child process beside this one (serve and IMDS answer meanwhile). */
function node(
  args: string[],
  key: { id: string; secret: string },
  options: { timeoutMs?: number; onStderr?: (chunk: string) => void } = {},
): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: cluster.dir,
    env: { ...process.env, NO_COLOR: '1', ...env(key) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
    options.onStderr?.(String(d));
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  ) as Running;
  done.child = child;
  return done;
}

const filesIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : []);
function etcdctlAs(dir: string, user: string, ...args: string[]) {
  const run = spawnSync(
    'etcdctl',
    [
      `--endpoints=${cluster.endpoints.join(',')}`,
      `--cacert=${cluster.caFile}`,
      `--cert=${join(dir, `${user}.pem`)}`,
      `--key=${join(dir, `${user}-key.pem`)}`,
      '--dial-timeout=3s',
      '--command-timeout=5s',
      ...args,
    ],
    { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' }, timeout: 15_000 },
  );
  return { code: run.status, stderr: run.stderr };
}

beforeAll(async () => {
  cluster = await startEtcdCluster();
  writeFileSync(join(cluster.dir, 'policy.yaml'), POLICY);
  expect(warden(cluster, ['apply', join(cluster.dir, 'policy.yaml'), '--yes']).code).toBe(0);
  // The template user an instance event would create.
  cluster.etcdctl('user', 'add', NODE_USER, '--no-password');
  cluster.etcdctl('user', 'grant-role', NODE_USER, 'app');
  writeFileSync(
    join(cluster.dir, 'credentials.json'),
    JSON.stringify(
      Object.fromEntries(
        Object.values(KEYS).map((k) => [k.id, { secretAccessKey: k.secret, principal: k.principal }]),
      ),
    ),
  );
  imds = fakeImds();
  imdsUrl = `http://127.0.0.1:${await listen(imds)}`;
  serveArgs = [
    '--policy',
    'policy.yaml',
    '--ca-store',
    await caStoreFor(cluster),
    '--credentials',
    'credentials.json',
  ];
  serve = await startServe(serveArgs, cluster.dir);
  servePort = Number(new URL(serve.url).port);
}, 90_000);

afterAll(async () => {
  await serve?.stop();
  imds?.close();
  await cluster?.stop();
});

describe('cert request', () => {
  it("gets this instance's template certificate, which etcd accepts", async () => {
    // Act
    const run = await node(
      ['cert', 'request', 'calico-node-{instanceId}', '--url', serve.url, '--out', 'node-certs'],
      KEYS.node,
    );
    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const dir = join(cluster.dir, 'node-certs');
    expect(filesIn(dir)).toEqual(['ca.pem', `${NODE_USER}-key.pem`, `${NODE_USER}.pem`]);
    expect(new X509Certificate(readFileSync(join(dir, `${NODE_USER}.pem`))).subject).toBe(`CN=${NODE_USER}`);
    const put = etcdctlAs(dir, NODE_USER, 'put', '/app/from-node', 'yes');
    expect(put?.code, put?.stderr).toBe(0);
  });

  it.each([
    ["another instance's session", KEYS.otherNode, /issue-cert refused \(403\)/],
    [
      'a wrong secret key',
      { id: KEYS.node.id, secret: 'not-the-secret-key-01' },
      /issue-cert refused \(403\): "the signature does not match the request"/,
    ],
  ])('%s: refused, nothing written', async (_label, key, message) => {
    // Act
    const run = await node(
      ['cert', 'request', 'calico-node-{instanceId}', '--url', serve.url, '--out', 'refused'],
      key,
    );
    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(filesIn(join(cluster.dir, 'refused'))).toEqual([]);
  });
});

/** Follows the agent's log lines as they come; resolves when `count` lines match, or fails after `ms`. */
function waitForLines(lines: () => string, pattern: RegExp, count: number, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = setInterval(() => {
      const found = lines()
        .split('\n')
        .filter((l) => pattern.test(l)).length;
      if (found >= count) {
        clearInterval(check);
        resolve();
      } else if (Date.now() - started > ms) {
        clearInterval(check);
        reject(
          new Error(`${found} of ${count} lines like ${pattern} within ${ms} ms:\n${lines().slice(-2000)}`),
        );
      }
    }, 50);
  });
}

describe('agent', () => {
  it('renews a short-lived certificate again and again, each one working, the hook once per renewal, no file ever half-written', async () => {
    // Prepare: a reader that looks at the files all the time
    const dir = join(cluster.dir, 'agent-certs');
    const seen = new Set<string>();
    const broken: string[] = [];
    const watcher = setInterval(() => {
      for (const [file, check] of [
        ['app.pem', (t: string) => new X509Certificate(t)],
        ['app-key.pem', (t: string) => createPrivateKey(t)],
      ] as const) {
        if (!existsSync(join(dir, file))) continue;
        const text = readFileSync(join(dir, file), 'utf8');
        try {
          check(text);
          if (file === 'app.pem') seen.add(text);
        } catch {
          broken.push(file);
        }
      }
    }, 5);

    // Act: renew when under 4 s of a 6 s lifetime is left
    let log = '';
    const agent = node(
      [
        'agent',
        '--url',
        serve.url,
        '--name',
        'app',
        '--out',
        'agent-certs',
        '--ttl',
        '6s',
        '--renew-before',
        '4s',
        '--exec',
        'echo renewed >> hook.log',
        '--metrics-file',
        'expiry.prom',
      ],
      KEYS.app,
      {
        timeoutMs: 60_000,
        onStderr: (chunk) => {
          log += chunk;
        },
      },
    );
    // After each renewal, the certificate then in the files writes to etcd.
    const renewalsSoFar = () => log.split('\n').filter((l) => l.includes('"event":"renewed"')).length;
    const worked = new Set<string>();
    const refused: string[] = [];
    for (let step = 1; step <= 3; step++) {
      await waitForLines(() => log, /"event":"renewed"/, renewalsSoFar() + 1, 40_000);
      // A renewal between etcdctl's reads of the two files would mix two pairs: then try again.
      for (let attempt = 0; attempt < 3; attempt++) {
        const before = readFileSync(join(dir, 'app.pem'), 'utf8');
        const put = etcdctlAs(dir, 'app', 'put', `/app/from-agent-${step}`, 'yes');
        if (readFileSync(join(dir, 'app.pem'), 'utf8') !== before) continue;
        if (put.code === 0) worked.add(before);
        else refused.push(put.stderr);
        break;
      }
    }
    agent.child.kill('SIGTERM');
    const result = await agent;
    clearInterval(watcher);

    // Assess
    expect(result.code).toBe(0);
    const renewals = log.split('\n').filter((l) => l.includes('"event":"renewed"')).length;
    expect(renewals).toBeGreaterThanOrEqual(3);
    expect(readFileSync(join(cluster.dir, 'hook.log'), 'utf8')).toBe('renewed\n'.repeat(renewals));
    expect(seen.size).toBeGreaterThanOrEqual(3);
    expect(broken).toEqual([]);
    expect(refused).toEqual([]);
    expect(worked.size).toBe(3);
    expect(readFileSync(join(cluster.dir, 'expiry.prom'), 'utf8')).toMatch(
      /^etcd_warden_certificate_expiry_timestamp_seconds\{name="app"\} \d{10}$/m,
    );
    expect(log).toContain('"event":"stopped"');
  }, 90_000);

  it('backs off while serve is down, keeps the old files, and renews once serve is back', async () => {
    // Prepare: a first certificate
    let log = '';
    const agent = node(
      [
        'agent',
        '--url',
        serve.url,
        '--name',
        'app',
        '--out',
        'backoff-certs',
        '--ttl',
        '6s',
        '--renew-before',
        '4s',
      ],
      KEYS.app,
      {
        timeoutMs: 90_000,
        onStderr: (chunk) => {
          log += chunk;
        },
      },
    );
    await waitForLines(() => log, /"event":"renewed"/, 1, 20_000);
    const before = readFileSync(join(cluster.dir, 'backoff-certs', 'app.pem'), 'utf8');

    // Act: serve stops; two failed attempts; serve comes back on the same port
    await serve.stop();
    await waitForLines(() => log, /"event":"renewal-failed"/, 2, 30_000);
    const during = readFileSync(join(cluster.dir, 'backoff-certs', 'app.pem'), 'utf8');
    serve = await startServe([...serveArgs, '--port', String(servePort)], cluster.dir);
    await waitForLines(() => log, /"event":"renewed"/, 2, 30_000);
    agent.child.kill('SIGTERM');
    await agent;

    // Assess
    expect(during).toBe(before);
    expect(log).toMatch(
      /"event":"renewal-failed","name":"app","error":"cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED","retryInSeconds":\d+/,
    );
    expect(readFileSync(join(cluster.dir, 'backoff-certs', 'app.pem'), 'utf8')).not.toBe(before);
  }, 120_000);
});

describe('answers that fail the checks', () => {
  let fake: Server;
  let fakeUrl = '';
  let ca: CertificateAuthority;
  let otherCa: { ca: CertificateAuthority; certificatePem: string };
  let mode: 'other-key' | 'other-name' | 'other-ca' = 'other-key';

  beforeAll(async () => {
    const ctx = nodePkiContext();
    ca = cluster.ca;
    otherCa = await createCa(caSpec(), ctx);
    // issue-cert as a broken or hostile one would answer: valid certificates, wrong in one way each.
    fake = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const { csr } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { csr: string };
      const key =
        mode === 'other-key' ? (await ctx.generateKey('ecdsa-p256')).publicKey : parseCsr(csr).publicKey;
      const signer = mode === 'other-ca' ? otherCa.ca : ca;
      const issued = await signCertificate(
        signer,
        {
          profile: 'client',
          commonName: mode === 'other-name' ? 'root' : 'app',
          publicKey: key,
          ttlSeconds: 600,
          limitSeconds: 600,
          limitSource: 'test',
        },
        ctx,
      );
      res.statusCode = 201;
      res.end(JSON.stringify({ certificate: issued.certificatePem, ca: cluster.caPem }));
    });
    fakeUrl = `http://127.0.0.1:${await listen(fake)}`;
  });

  afterAll(() => fake?.close());

  it.each([
    ['other-key', 'the certificate is for another key'],
    ['other-name', 'the certificate names "root", not "app"'],
    ['other-ca', 'the certificate is not signed by the CA it came with'],
  ] as const)(
    '%s: cert request writes nothing; agent --once keeps the files in place',
    async (which, why) => {
      // Prepare: good files, due for renewal at once
      mode = which;
      const outDir = `kept-${which}`;
      const good = await node(['cert', 'request', 'app', '--url', serve.url, '--out', outDir], KEYS.app);
      expect(good.code).toBe(0);
      const before = filesIn(join(cluster.dir, outDir)).map((f) =>
        readFileSync(join(cluster.dir, outDir, f), 'utf8'),
      );
      // Act
      const request = await node(
        ['cert', 'request', 'app', '--url', fakeUrl, '--out', `none-${which}`],
        KEYS.app,
      );
      const once = await node(
        ['agent', '--once', '--url', fakeUrl, '--name', 'app', '--out', outDir, '--renew-before', '2h'],
        KEYS.app,
      );
      // Assess
      expect(request.code).toBe(1);
      expect(request.stderr).toBe(`etcd-warden: issue-cert's answer is refused: ${why}\n`);
      expect(filesIn(join(cluster.dir, `none-${which}`))).toEqual([]);
      expect(once.code).toBe(1);
      expect(once.stderr).toContain(
        `"event":"renewal-failed","name":"app","error":${JSON.stringify(`issue-cert's answer is refused: ${why}`)}`,
      );
      expect(
        filesIn(join(cluster.dir, outDir)).map((f) => readFileSync(join(cluster.dir, outDir, f), 'utf8')),
      ).toEqual(before);
    },
    60_000,
  );
});
