// The Lambda functions: what each bundle ships, what it costs to load cold, and issue-cert served.
//   1. Size on disk of every dist/functions/<name>/ (all the files it ships, as built by
//      `npm run build`), and what the bundles hold by origin (esbuild's metafile of the same build,
//      made again in memory with build.mjs's options).
//   2. Cold module load: a fresh `node` per run importing the handler module, timed inside
//      (performance.now() around the dynamic import) and as a whole process (`node index.mjs`)
//      against `node -e 0`; the parts of issue-cert's bundle bundled alone, loaded the same way.
//   3. issue-cert through a real `etcd-warden serve` on 127.0.0.1: 64 concurrent keep-alive clients
//      POSTing /certificates with pre-generated ECDSA P-256 CSRs (openssl), against the in-process
//      rate from the same CSRs: the PKI core (as pki.bench.ts), issueForName, and the issue-cert
//      handler with the stores serve gives it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { isBuiltin } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { SignatureV4 } from '@smithy/signature-v4';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { lambdaOptions } from '../build-options.mjs';
import type { HttpEvent } from '../functions/http.js';
import { createIssueCert } from '../functions/issue-cert/issue-cert.js';
import { localContext, localFunctionUrlEvent } from '../functions/local-invocation.js';
import { NodeSha256 } from '../shared/aws/sha256.js';
import type { CaStore } from '../shared/castore/index.js';
import { fileCaStore } from '../shared/castore/index.js';
import { createLogger } from '../shared/log/index.js';
import {
  createCa,
  issueForName,
  loadCa,
  nodePkiContext,
  parseCsr,
  signCertificate,
} from '../shared/pki/index.js';
import { loadPolicy } from '../shared/policy/load.js';
import type { Policy } from '../shared/policy/types.js';
import { memoryPolicyStore } from '../shared/policystore/index.js';

const FUNCTIONS_DIR = 'dist/functions';
const BIN = resolve('bin/etcd-warden.js');
const WORK = resolve('dist/bench/functions');
const LOAD_RUNS = 11;
/** An earlier issue's size target for issue-cert, from before pkijs became its one X.509 layer. */
const SIZE_TARGET = 400 * 1024;
/** Issue 11: issue-cert's cold load at most this much over `node -e 0` (whole process against whole process). */
const LOAD_OVER_FLOOR_TARGET_MS = 200;
const CONCURRENCY = 64;
const POOL = 384; // distinct CSR keys: more than the core's 256 memoized decoded keys
const SERVE_MS = 8_000;
const SERVE_MAX = 6_000;
const REQUEST_TIMEOUT_MS = 10_000;
const ROUND_MS = 1_500;
const ROUNDS = 3;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
/** Nearest-rank percentile. */
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
const int = (n: number): string => Math.round(n).toLocaleString('en');
const ms = (n: number): string => `${n.toFixed(1)} ms`;
const verdict = (ok: boolean): string => (ok ? 'met' : '**not met**');

mkdirSync(WORK, { recursive: true });

// --- 1. Bundle sizes ----------------------------------------------------------------------------
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}
const names = readdirSync(FUNCTIONS_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
if (!names.includes('issue-cert')) throw new Error(`${FUNCTIONS_DIR}/issue-cert is missing: npm run build`);
const bundles = names.map((name) => {
  const dir = join(FUNCTIONS_DIR, name);
  const files = filesUnder(dir);
  const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
  const gzip = files.reduce((sum, f) => sum + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  return { name, dir, files: files.map((f) => relative(dir, f)), bytes, gzip };
});

// The same build as build.mjs's Lambda targets, in memory, for its metafile: apply-rbac holds etcd3.
const LAMBDA_OPTIONS: BuildOptions = lambdaOptions();
const optionsOf = (name: string): BuildOptions => lambdaOptions({ etcd3: name === 'apply-rbac' });
const ORIGINS: [string, RegExp][] = [
  ['AWS SDK v3, bundled (@aws-sdk/*, @smithy/*, bowser)', /^(@aws-sdk|@smithy|@aws)\/|^bowser$/],
  [
    'pkijs + asn1js and their dependencies',
    /^(pkijs|asn1js|bytestreamjs|pvtsutils|pvutils|@peculiar\/.*|@noble\/.*)$/,
  ],
  ['YAML parsers (yaml, js-yaml)', /^(yaml|js-yaml)$/],
  ['Ajv and its dependencies', /^(ajv|fast-uri|fast-deep-equal|json-schema-traverse)$/],
  [
    'etcd3 and gRPC (etcd3, @grpc/*, protobufjs and their dependencies)',
    /^(etcd3|@grpc\/.*|protobufjs|@protobufjs\/.*|long|lodash\.camelcase|cockatiel|bignumber\.js|@js-sdsl\/.*)$/,
  ],
  ['etcd-warden: shared/policy, shared/presets', /^shared\/(policy|presets)$/],
  ['etcd-warden: everything else (shared/pki, functions/, …)', /^(shared|functions)\//],
];
const [SDK, PKIJS, YAML, AJV] = ORIGINS.map(([label]) => label) as [string, string, string, string];
const OWN = ORIGINS.map(([label]) => label).filter((label) => label.startsWith('etcd-warden:'));
const packageOf = (input: string): string =>
  /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');
const originOf = (input: string): string => {
  const key = packageOf(input);
  return ORIGINS.find(([, re]) => re.test(key))?.[0] ?? `other: ${key}`;
};
interface Contents {
  bytes: number;
  origins: Map<string, number>;
  packages: Map<string, number>;
  /** Packages imported at run time rather than bundled (node: built-ins left out). */
  externals: string[];
}
function contentsOf(metafile: Metafile): Contents {
  const output = Object.values(metafile.outputs)[0];
  if (!output) throw new Error('no esbuild output');
  const origins = new Map<string, number>();
  const packages = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    if (bytesInOutput === 0 || /^part-\d+\.ts$/.test(input)) continue; // a part's own stdin entry
    origins.set(originOf(input), (origins.get(originOf(input)) ?? 0) + bytesInOutput);
    packages.set(packageOf(input), (packages.get(packageOf(input)) ?? 0) + bytesInOutput);
  }
  const externals = [
    ...new Set(output.imports.filter((i) => i.external && !isBuiltin(i.path)).map((i) => i.path)),
  ].sort();
  return { bytes: output.bytes, origins, packages, externals };
}
const contents = new Map<string, Contents>();
for (const name of names) {
  const made = await build({
    ...optionsOf(name),
    entryPoints: [`functions/${name}/index.ts`],
    outfile: join(WORK, `${name}-meta.mjs`),
    write: false,
    metafile: true,
  });
  contents.set(name, contentsOf(made.metafile as Metafile));
}

// --- 2. Cold module load ------------------------------------------------------------------------
// The parts of issue-cert's bundle, each bundled alone with the same options and the same imports
// issue-cert makes of it (so tree-shaking keeps what it keeps there); an external SDK is loaded
// from node_modules, as on Lambda from the runtime's.
const SDK_SOURCE =
  "export { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';";
const PARTS: { label: string; source: string; external?: string[] }[] = [
  { label: 'an empty module (the floor of a dynamic import)', source: 'export const handler = () => 0;' },
  {
    label: 'PKI core (issueForName, loadCa, buildCrl, nodePkiContext)',
    source:
      "export { buildCrl, issueForName, loadCa } from './shared/pki/index.js'; export { nodePkiContext } from './shared/pki/crypto-node.js';",
  },
  {
    label: 'policy reader (resolvedPolicyFromJson: the stored JSON policy, no YAML)',
    source: "export { resolvedPolicyFromJson } from './shared/policy/resolved-json.js';",
  },
  { label: 'AWS SDK Secrets Manager client, as the build treats it', source: SDK_SOURCE },
  { label: 'the same client, bundled', source: SDK_SOURCE, external: ['etcd3'] },
];
const PKI_PART = 1;
/** The stored policy's reader: issue-cert parses no YAML (issue 11). */
const POLICY_PART = 2;
const SDK_PART = 3;
const SDK_BUNDLED_PART = 4;
const parts = await Promise.all(
  PARTS.map(async (part, i) => {
    const file = join(WORK, `part-${i}.mjs`);
    const made = await build({
      ...LAMBDA_OPTIONS,
      ...(part.external ? { external: part.external } : {}),
      stdin: { contents: part.source, resolveDir: process.cwd(), loader: 'ts', sourcefile: `part-${i}.ts` },
      outfile: file,
      metafile: true,
    });
    return { ...part, file, contents: contentsOf(made.metafile as Metafile) };
  }),
);
/** "pkijs 296 KiB, asn1js 57 KiB; from node_modules: @aws-sdk/client-secrets-manager" */
function holds(c: Contents, top = 4): string {
  const libraries = [...c.packages]
    .filter(([p]) => !/^(shared|functions)\//.test(p))
    .sort((x, y) => y[1] - x[1]);
  const listed = libraries.slice(0, top).map(([p, b]) => `${p} ${kb(b)}`);
  if (libraries.length > top) listed.push(`${libraries.length - top} more`);
  const own = [...c.packages].filter(([p]) => /^(shared|functions)\//.test(p)).reduce((t, [, b]) => t + b, 0);
  return [
    own > 0 ? `etcd-warden ${kb(own)}` : '',
    listed.join(', '),
    c.externals.length ? `loads from node_modules: ${c.externals.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

// Inside the fresh process: the import alone, and when the handler is ready since the process began.
const IMPORT_TIMER = `const t0 = performance.now();
const m = await import(process.argv[1]);
const t1 = performance.now();
if (process.argv[2] === 'handler' && typeof m.handler !== 'function') process.exit(3);
process.stdout.write(JSON.stringify({ load: t1 - t0, ready: t1 }));`;
function importTimes(file: string, expect: 'handler' | 'module'): { load: number; ready: number } {
  const run = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', IMPORT_TIMER, pathToFileURL(resolve(file)).href, expect],
    { encoding: 'utf8', timeout: 30_000 },
  );
  if (run.status !== 0) throw new Error(`importing ${file} failed (exit ${run.status}): ${run.stderr}`);
  return JSON.parse(run.stdout) as { load: number; ready: number };
}
function processMs(args: string[]): number {
  const start = performance.now();
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });
  const wall = performance.now() - start;
  if (run.status !== 0) throw new Error(`node ${args.join(' ')} failed (exit ${run.status}): ${run.stderr}`);
  return wall;
}

const nodeFloor: number[] = [];
const loads = new Map<string, { load: number[]; ready: number[]; whole: number[] }>(
  bundles.map((b) => [b.name, { load: [], ready: [], whole: [] }]),
);
const partLoads = parts.map(() => [] as number[]);
for (let run = 0; run < LOAD_RUNS; run++) {
  nodeFloor.push(processMs(['-e', '0']));
  for (const b of bundles) {
    const entry = join(b.dir, 'index.mjs');
    const times = importTimes(entry, 'handler');
    const l = loads.get(b.name) as { load: number[]; ready: number[]; whole: number[] };
    l.load.push(times.load);
    l.ready.push(times.ready);
    l.whole.push(processMs([entry]));
  }
  parts.forEach((p, i) => {
    partLoads[i]?.push(importTimes(p.file, 'module').load);
  });
}
const floorMs = median(nodeFloor);
const loadOf = (name: string) => {
  const l = loads.get(name) as { load: number[]; ready: number[]; whole: number[] };
  return {
    load: median(l.load),
    fastest: Math.min(...l.load),
    ready: median(l.ready),
    whole: median(l.whole),
  };
};

// --- 3. issue-cert: in process, then through `serve` ---------------------------------------------
const CALLER = 'arn:aws:sts::123456789012:assumed-role/app-runner/bench-1';
// The caller's access key as serve's credentials file maps it: every request is SigV4-signed.
const KEY = { accessKeyId: 'AKIABENCHCALLER0001', secretAccessKey: 'bench-secret-key-0123456789' };
const POLICY_TEXT = `version: 1
auth: enabled
ca:
  commonName: etcd-warden bench CA
  key: ecdsa-p256
  validity: 87600h
roles:
  app-rw:
    - { prefix: /app/, access: readwrite }
users:
  root:
    roles: [root]
  app:
    roles: [app-rw]
    certificate:
      ttl: 24h
      requesters: ["arn:aws:iam::123456789012:role/app-runner"]
`;
const loadedPolicy = loadPolicy(POLICY_TEXT, 'bench-policy.yaml');
if (!loadedPolicy.policy) throw new Error(`bench policy: ${JSON.stringify(loadedPolicy.diagnostics[0])}`);
const policy: Policy = loadedPolicy.policy;
const pki = nodePkiContext();
const made = await createCa(policy.ca, pki);

const dir = mkdtempSync(join(tmpdir(), 'warden-bench-functions-'));
let serve: ChildProcess | undefined;
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** Stops serve by its PID: SIGTERM, then SIGKILL after 5 s (bounded). */
async function stopServe(): Promise<void> {
  const child = serve;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  // 'close', not 'exit': by then everything it wrote to its pipes has been read.
  const exited = new Promise<void>((done) => child.once('close', () => done()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await Promise.race([exited, new Promise<void>((done) => setTimeout(done, 10_000))]);
  clearTimeout(timer);
}
process.once('exit', () => {
  if (serve && serve.exitCode === null && serve.signalCode === null) serve.kill('SIGKILL');
});

interface Rate {
  perSecond: number;
  cpuMsPerCert: number;
}

/**
 * Median certificates per second over ROUNDS rounds of ROUND_MS, `workers` callers at once (each
 * loop bounded in time), with this process's CPU per certificate in that round.
 */
async function rate(step: (i: number) => Promise<unknown>, workers = 1): Promise<Rate> {
  for (let i = 0; i < 200; i++) await step(i); // warm-up
  const rounds: Rate[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    globalThis.gc?.();
    let n = 0;
    const cpu = process.cpuUsage();
    const start = performance.now();
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (performance.now() - start < ROUND_MS) await step(n++);
      }),
    );
    const used = process.cpuUsage(cpu);
    rounds.push({
      perSecond: n / ((performance.now() - start) / 1000),
      cpuMsPerCert: (used.user + used.system) / 1000 / n,
    });
  }
  return [...rounds].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(ROUNDS / 2)] as Rate;
}

let report: string;
try {
  // The CA where serve's file store reads it, the policy, the local identity of the caller.
  writeFileSync(join(dir, 'ca.pem'), made.certificatePem);
  writeFileSync(join(dir, 'ca-key.pem'), made.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'policy.yaml'), POLICY_TEXT);
  writeFileSync(
    join(dir, 'credentials.json'),
    JSON.stringify({ [KEY.accessKeyId]: { secretAccessKey: KEY.secretAccessKey, principal: CALLER } }),
  );

  // CSRs made by openssl, each with a new ECDSA P-256 key, CN = the policy's user `app`.
  const csrs: string[] = [];
  for (let i = 0; i < POOL; i++) {
    const run = spawnSync(
      'openssl',
      [
        'req',
        '-new',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        '/dev/null',
        '-subj',
        '/CN=app',
      ],
      { encoding: 'utf8', timeout: 10_000 },
    );
    if (run.status !== 0 || !run.stdout.includes('BEGIN CERTIFICATE REQUEST'))
      throw new Error(`openssl req failed: ${run.stderr}`);
    csrs.push(run.stdout);
  }
  const bodies = csrs.map((csr) => Buffer.from(JSON.stringify({ user: 'app', csr })));
  const csrAt = (i: number): string => csrs[i % POOL] as string;

  // In process: the PKI core as pki.bench.ts measures it (one CSR again and again: its key is
  // decoded once and memoized), the same over the pool (a new key each time), issueForName, and
  // the handler with serve's stores, 64 callers at once as serve gets them.
  const { ca } = made;
  const signRequest = {
    profile: 'client' as const,
    ttlSeconds: 3_600,
    limitSeconds: 3_600,
    limitSource: 'bench',
  };
  const oneCsr = csrAt(0);
  const coreOne = await rate(async () =>
    signCertificate(ca, { ...signRequest, commonName: 'app', publicKey: parseCsr(oneCsr).publicKey }, pki),
  );
  const corePool = await rate(async (i) =>
    signCertificate(ca, { ...signRequest, commonName: 'app', publicKey: parseCsr(csrAt(i)).publicKey }, pki),
  );
  const byName = await rate((i) => issueForName(policy, ca, { name: 'app', csr: csrAt(i) }, pki));
  const eventFor = (i: number): HttpEvent =>
    localFunctionUrlEvent({
      method: 'POST',
      path: '/certificates',
      headers: { 'content-type': 'application/json' },
      body: bodies[i % POOL] as Buffer,
      caller: CALLER,
    });
  let logBytes = 0;
  const handlerWith = (caStore: CaStore) => {
    const handle = createIssueCert({
      caStore,
      policyStore: memoryPolicyStore({ policy, text: POLICY_TEXT }, 'bench-policy.yaml'),
      pki,
      log: createLogger((line) => {
        logBytes += line.length;
      }),
    });
    return async (i: number) => {
      const response = await handle(eventFor(i), localContext('issue-cert'));
      if (response.statusCode !== 201)
        throw new Error(`handler answered ${response.statusCode}: ${response.body}`);
    };
  };
  const fileStore = fileCaStore(dir);
  const handlerFile = await rate(handlerWith(fileStore), CONCURRENCY);
  // The same material object every time (what the Secrets Manager store's cache returns on Lambda):
  // the handler then parses the CA once instead of on every request.
  const material = await fileStore.load();
  const handlerHeld = await rate(handlerWith({ ...fileStore, load: async () => material }), CONCURRENCY);
  if (logBytes === 0) throw new Error('the handler wrote no audit line');
  // What the handler repeats per request with the file store: the two reads, and parsing the CA.
  const storeLoad = await rate(() => fileStore.load(), CONCURRENCY);
  const caParse = await rate(async () => loadCa({ ...material }, pki));

  // Through serve.
  let stderrTail = '';
  let pending = '';
  let audits = 0;
  const base = await new Promise<string>((done, fail) => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'serve',
        '--port',
        '0',
        '--policy',
        join(dir, 'policy.yaml'),
        '--ca-store',
        `file://${dir}`,
        '--credentials',
        join(dir, 'credentials.json'),
      ],
      { cwd: dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    serve = child;
    const timer = setTimeout(() => fail(new Error(`serve did not start in 15 s: ${stderrTail}`)), 15_000);
    // One JSON line per log call on stderr: drained, the audit lines counted, the tail kept.
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.includes('"event":"certificate-issued"')) audits++;
      stderrTail = (stderrTail + chunk).slice(-4_000);
    });
    let out = '';
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      out += chunk;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        done(url);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(new Error(`serve exited (${code ?? signal}): ${stderrTail}`));
    });
  });
  const port = Number(new URL(base).port);
  const pid = serve?.pid as number;
  const cpuOfServe = (): number => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, clock ticks of 10 ms
  };

  interface Answer {
    status: number;
    body: string;
    ms: number;
  }
  const signer = new SignatureV4({
    credentials: KEY,
    region: 'us-east-1',
    service: 'lambda',
    sha256: NodeSha256,
  });
  const post = async (body: Buffer): Promise<Answer> => {
    const start = performance.now();
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port,
      path: '/certificates',
      headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json' },
      body,
    });
    return new Promise((done) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/certificates',
          method: 'POST',
          agent,
          headers: { ...signed.headers, 'content-length': body.length },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            done({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              ms: performance.now() - start,
            }),
          );
          res.on('error', (e) => done({ status: 0, body: String(e), ms: performance.now() - start }));
        },
      );
      req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('timed out')));
      req.on('error', (e) => done({ status: 0, body: e.message, ms: performance.now() - start }));
      req.end(body);
    });
  };

  const failures: string[] = [];
  const serials = new Set<string>();
  let sample = '';
  const check = (answer: Answer): boolean => {
    if (answer.status !== 201) {
      failures.push(`${answer.status}: ${answer.body.slice(0, 200)}`);
      return false;
    }
    const parsed = JSON.parse(answer.body) as { certificate?: string; serial?: string };
    if (!parsed.certificate?.startsWith('-----BEGIN CERTIFICATE-----') || !parsed.serial) {
      failures.push(`201 without a certificate: ${answer.body.slice(0, 200)}`);
      return false;
    }
    serials.add(parsed.serial);
    sample = parsed.certificate;
    return true;
  };

  /** `workers` clients, each one request at a time, until `limit` requests or `durationMs` (bounded). */
  async function load(limit: number, durationMs: number) {
    let next = 0;
    let ok = 0;
    const latencies: number[] = [];
    const start = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < limit && performance.now() - start < durationMs && failures.length < 20) {
          const answer = await post(bodies[next++ % POOL] as Buffer);
          if (check(answer)) {
            ok++;
            latencies.push(answer.ms);
          }
        }
      }),
    );
    return { ok, wall: performance.now() - start, latencies: latencies.sort((a, b) => a - b) };
  }

  await load(4 * CONCURRENCY, 15_000); // warm-up: connections, JIT, the server's caches
  const serveCpu0 = cpuOfServe();
  const clientCpu0 = process.cpuUsage();
  const served = await load(SERVE_MAX, SERVE_MS);
  const clientUsed = process.cpuUsage(clientCpu0);
  const serveCpuMs = cpuOfServe() - serveCpu0;
  const clientCpuMs = (clientUsed.user + clientUsed.system) / 1000;
  agent.destroy();
  await stopServe();
  if (failures.length > 0)
    throw new Error(
      `${failures.length} request(s) through serve failed; first: ${failures.slice(0, 3).join(' | ')}`,
    );
  const issuedTotal = 4 * CONCURRENCY + served.ok;
  if (serials.size !== issuedTotal)
    throw new Error(`${issuedTotal} certificates but ${serials.size} serials`);
  if (audits !== issuedTotal) throw new Error(`${issuedTotal} certificates but ${audits} audit lines`);
  writeFileSync(join(dir, 'sample.pem'), sample);
  const verified = spawnSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'sample.pem')], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (verified.status !== 0) throw new Error(`a served certificate does not verify: ${verified.stderr}`);

  // --- The section ----------------------------------------------------------------------------
  const servedRate = served.ok / (served.wall / 1000);
  const p50 = percentile(served.latencies, 0.5);
  const p99 = percentile(served.latencies, 0.99);
  const serveCpuPerCert = serveCpuMs / served.ok;
  const serveCores = serveCpuMs / served.wall;
  const clientCores = clientCpuMs / served.wall;
  const issue = bundles.find((b) => b.name === 'issue-cert') as (typeof bundles)[number];
  const issueLoad = loadOf('issue-cert');
  const ic = contents.get('issue-cert') as Contents;
  const sizeOk = issue.bytes <= SIZE_TARGET;
  const loadOverFloor = issueLoad.whole - floorMs;
  const loadOk = loadOverFloor <= LOAD_OVER_FLOOR_TARGET_MS;
  const drift = bundles
    .filter((b) => contents.get(b.name)?.bytes !== statSync(join(b.dir, 'index.mjs')).size)
    .map((b) => b.name);
  const originLabels = [
    ...ORIGINS.map(([label]) => label),
    ...new Set(
      names.flatMap((n) =>
        [...(contents.get(n)?.origins.keys() ?? [])].filter((o) => o.startsWith('other: ')),
      ),
    ),
  ].filter((label) => names.some((n) => (contents.get(n)?.origins.get(label) ?? 0) > 0));
  const originRows = originLabels.map((label) => {
    const cells = names.map((n) => {
      const c = contents.get(n) as Contents;
      const b = c.origins.get(label) ?? 0;
      return `${kb(b)} (${((b / c.bytes) * 100).toFixed(0)}%)`;
    });
    return `| ${label} | ${cells.join(' | ')} |`;
  });
  const bytesOf = (label: string): number => ic.origins.get(label) ?? 0;
  const ownShare = (OWN.reduce((t, l) => t + bytesOf(l), 0) / ic.bytes) * 100;
  const libraries = [SDK, PKIJS, YAML, AJV].filter((l) => bytesOf(l) > 0);
  const sdkExternal = ic.externals.some((p) => /^@aws-sdk\//.test(p));
  const partLoad = partLoads.map((xs) => median(xs));
  const emptyLoad = partLoad[0] as number;
  const partCost = (i: number): number => (partLoad[i] as number) - emptyLoad;
  // The parts the bundle is made of: the PKI core, the policy reader and the SDK as the build treats it.
  const partsSum = emptyLoad + partCost(PKI_PART) + partCost(POLICY_PART) + partCost(SDK_PART);
  const fits = (bytes: number): string =>
    `${kb(bytes)} (${bytes <= SIZE_TARGET ? 'within' : 'still over'} the target)`;
  // Projected from the parts (not from the whole bundle's figure, so one noisy number does not carry over).
  const withoutSdkLoad = emptyLoad + partCost(PKI_PART) + partCost(POLICY_PART);
  const busy = issueLoad.load > 1.3 * issueLoad.fastest || issueLoad.ready > issueLoad.whole;

  const inProcessRow = (label: string, r: Rate) =>
    `| ${label} | ${int(r.perSecond)} | ${(1000 / r.perSecond).toFixed(2)} ms | ${r.cpuMsPerCert.toFixed(2)} ms | ${(servedRate / r.perSecond).toFixed(2)}x |`;

  const fixes: string[] = [];
  if (!sizeOk) {
    const options: [string, number][] = [
      ['pkijs + asn1js', bytesOf(PKIJS)],
      ['the YAML parsers', bytesOf(YAML)],
      ['Ajv', bytesOf(AJV)],
      ['the bundled AWS SDK', bytesOf(SDK)],
    ].filter(([, b]) => (b as number) > 0) as [string, number][];
    const all = options.reduce((t, [, b]) => t + b, 0);
    fixes.push(
      `- Size: the bundle less ${options.map(([l, b]) => `${l} would be ${fits(issue.bytes - b)}`).join('; less ')}${
        options.length > 1 ? `; less all of them ${fits(issue.bytes - all)}` : ''
      }.`,
    );
  }
  if (sdkExternal || bytesOf(SDK) > 0) {
    const bundledSdk = partCost(SDK_BUNDLED_PART);
    fixes.push(
      `- The AWS SDK, the largest part of the load: ${
        sdkExternal
          ? `not shipped (the Lambda runtime provides it) but imported with the handler: the Secrets Manager client
  loaded unbundled from node_modules costs ${ms(partCost(SDK_PART))} (bundled with the same tree-shaking, ${ms(bundledSdk)} for
  ${kb(parts[SDK_BUNDLED_PART]?.contents.bytes ?? 0)}${bundledSdk < partCost(SDK_PART) ? ': leaving it to the runtime made the bundle smaller and its load slower' : ''}; bundled, issue-cert would be about ${fits(issue.bytes + (parts[SDK_BUNDLED_PART]?.contents.bytes ?? 0))}; measured from this checkout's node_modules, not from the Lambda runtime's copy)`
          : `bundled, its load costs ${ms(partCost(SDK_PART))}`
      }. Replacing the one call issue-cert makes (GetSecretValue) with a SigV4-signed POST over node:https (a few KiB, no
  SDK) would bring the import to about ${ms(withoutSdkLoad)} (the PKI core and policy reader rows over one floor). Importing
  the SDK lazily at the first request would move its cost out of the module load, not out of the cold start.`,
    );
  }
  if (bytesOf(YAML) > 0)
    fixes.push(
      `- The YAML parsers (${kb(bytesOf(YAML))}): issue-cert reads the applied policy from its secret as YAML, through the
  whole policy loader (${ms(partCost(POLICY_PART))} to load, the policy loader row). If the secret also carried the validated
  policy as JSON (apply-rbac writes it after an apply), issue-cert would need no YAML parser.`,
    );
  if (bytesOf(PKIJS) > 0)
    fixes.push(
      `- pkijs + asn1js (${kb(bytesOf(PKIJS))}): the one ASN.1/X.509 layer the specification names; issue-cert parses the CSR
  and the CA certificate and builds every certificate with them, so they stay (their load is in the PKI core row:
  ${ms(partCost(PKI_PART))}).`,
    );
  if (bytesOf(AJV) > 0)
    fixes.push(`- Ajv (${kb(bytesOf(AJV))}) is still bundled: a precompiled validator needs none of it.`);

  report = `## Functions: bundles, cold load, issue-cert served

Bundles as \`npm run build\` writes them: one folder per function, all the files it ships, sizes in KiB (1,024 bytes).

| function | files | size on disk | gzip -9 | external imports (not shipped) | target |
|---|---|---:|---:|---|---|
${bundles
  .map(
    (b) =>
      `| ${b.name} | ${b.files.join(', ')} | ${int(b.bytes)} B (${kb(b.bytes)}) | ${kb(b.gzip)} | ${(contents.get(b.name)?.externals ?? []).join(', ')} | ${b.name === 'issue-cert' ? `reported (an earlier ≤ ${kb(SIZE_TARGET)}: ${sizeOk ? 'within' : 'over'})` : 'reported'} |`,
  )
  .join('\n')}

What the bundles hold, by origin (esbuild's metafile of the same build, made again in memory${
    drift.length
      ? `; **its output differs in size from the file on disk for ${drift.join(', ')}: the file was built from other sources (run \`npm run build\`)**`
      : '; its output has the byte count of the file on disk'
  }):

| origin | ${names.join(' | ')} |
|---|${names.map(() => '---:|').join('')}
${originRows.join('\n')}

Cold module load, median of ${LOAD_RUNS} fresh processes, interleaved. *import* is \`performance.now()\` around
\`await import(handler module)\` inside the process; *ready* is when the handler is there, counted from the
process's start; *whole process* is \`node index.mjs\` from spawn to exit, against \`node -e 0\` in the same run
(what the load target is about: at most ${LOAD_OVER_FLOOR_TARGET_MS} ms over it).

| function | import | import, fastest run | ready since process start | whole process | whole process − \`node -e 0\` | target |
|---|---:|---:|---:|---:|---:|---|
${bundles
  .map((b) => {
    const l = loadOf(b.name);
    return `| ${b.name} | ${ms(l.load)} | ${ms(l.fastest)} | ${ms(l.ready)} | ${ms(l.whole)} | ${ms(l.whole - floorMs)} | ${b.name === 'issue-cert' ? `≤ ${LOAD_OVER_FLOOR_TARGET_MS} ms over \`node -e 0\`: ${verdict(loadOk)}` : 'reported'} |`;
  })
  .join('\n')}
| baseline: \`node -e 0\` | | | | ${ms(floorMs)} | 0 | |
${
  busy
    ? `
The machine was busy during these runs (other work on its ${cpus().length} cores): issue-cert's median import is ${(issueLoad.load / issueLoad.fastest).toFixed(1)}x its
fastest${issueLoad.ready > issueLoad.whole ? ', and its median "ready" is later than its median whole process' : ''}; read the load figures with that in mind.
`
    : ''
}

Where issue-cert's load goes: its parts, each bundled alone with the same options and the imports issue-cert makes
of it, loaded the same way (medians of the same ${LOAD_RUNS} rounds):

| part, bundled alone | holds | size | import | import − empty module |
|---|---|---:|---:|---:|
${parts.map((p, i) => `| ${p.label} | ${holds(p.contents)} | ${kb(p.contents.bytes)} | ${ms(partLoad[i] as number)} | ${i === 0 ? '' : ms(partCost(i))} |`).join('\n')}
| PKI core + policy reader + the SDK as the build treats it (one empty-module floor) | | | ${ms(partsSum)} | |

Target for issue-cert (issue 11): its cold load at most ${LOAD_OVER_FLOOR_TARGET_MS} ms over \`node -e 0\` — ${ms(loadOverFloor)} (whole process
${ms(issueLoad.whole)} against ${ms(floorMs)}; the import alone ${ms(issueLoad.load)}, fastest run ${ms(issueLoad.fastest)}), ${verdict(loadOk)}. Sizes are
reported: issue-cert's ${int(issue.bytes)} bytes are ${sizeOk ? 'within' : 'over'} the ${kb(SIZE_TARGET)} an earlier issue set before pkijs became
issue-cert's one X.509 layer (pkijs + asn1js: ${kb(bytesOf(PKIJS))} of it, and they do not tree-shake).
${
  loadOk
    ? ''
    : `
**Why, and what would fix it.** etcd-warden's own code is ${ownShare.toFixed(0)}% of the bundle${
        libraries.length
          ? `; the rest is ${libraries.map((l) => `${l} (${kb(bytesOf(l))})`).join(', ')}, of which issue-cert uses little`
          : ''
      }.${
        sdkExternal
          ? ` The AWS SDK is outside the bundle (${ic.externals.filter((p) => /^@aws-sdk\//.test(p)).join(', ')}) but is loaded with it.`
          : ''
      } A part's load is V8 compiling its code and running its top-level code; the parts add up to ${ms(partsSum)},
against ${ms(issueLoad.load)} for the whole bundle. Fixes, all outside bench/ (none made here):
${fixes.join('\n')}
`
}
### issue-cert through \`etcd-warden serve\`, ${CONCURRENCY} concurrent CSR requests

\`etcd-warden serve --port 0 --policy … --ca-store file://… --credentials …\` on 127.0.0.1 (the built CLI, its own
process); ${CONCURRENCY} keep-alive clients in this process, one request at a time each, POST /certificates SigV4-signed
(service lambda, the SDK's signer) with an access key mapped to \`${CALLER}\`, a CSR from a pool of ${POOL} made by openssl (a new ECDSA P-256 key each,
CN = \`app\`; more keys than the core memoizes), for ${SERVE_MS / 1000} s or ${int(SERVE_MAX)} requests after ${4 * CONCURRENCY} warm-up requests.
Every answer is checked: status 201, a certificate, a new serial, one audit line in serve's log per certificate;
a served certificate verifies with \`openssl verify\` against the CA. Failures: 0 (any would fail the bench).

| through serve | certificates | throughput | p50 latency | p99 latency | serve CPU per certificate |
|---|---:|---:|---:|---:|---:|
| ${CONCURRENCY} concurrent clients | ${int(served.ok)} in ${(served.wall / 1000).toFixed(1)} s | ${int(servedRate)}/s | ${ms(p50)} | ${ms(p99)} | ${serveCpuPerCert.toFixed(2)} ms |

Against the in-process rate from the same CSRs, same CA, same run (medians of ${ROUNDS} rounds of ${ROUND_MS / 1000} s):

| in this process | certificates/s | 1 / rate | CPU per certificate | served rate / this |
|---|---:|---:|---:|---:|
${inProcessRow('PKI core from a PEM CSR, one CSR again and again (as pki.bench.ts; its key decoded once)', coreOne)}
${inProcessRow(`PKI core from a PEM CSR, the pool of ${POOL} (a new key each time)`, corePool)}
${inProcessRow('issueForName (policy name profile + CSR CN check + sign), the pool', byName)}
${inProcessRow(`issue-cert handler, serve's stores (file CA store, memory policy store), ${CONCURRENCY} callers`, handlerFile)}
${inProcessRow(`issue-cert handler, CA material held in memory (as the Secrets Manager store caches it), ${CONCURRENCY} callers`, handlerHeld)}

**What bounds the served rate.** serve is one Node process whose work runs on its one JavaScript thread: during
the run it used ${serveCores.toFixed(2)} cores (${serveCpuPerCert.toFixed(2)} ms of CPU per certificate) and the ${CONCURRENCY} clients in this process
${clientCores.toFixed(2)}, of the machine's ${cpus().length}${serveCores > 0.8 ? ": serve's thread is saturated, the machine is not" : ''}. The handler with the same stores costs
${handlerFile.cpuMsPerCert.toFixed(2)} ms of CPU per certificate in this process; ${
    serveCpuPerCert - handlerFile.cpuMsPerCert > 0.1
      ? `the HTTP server, body reading and the audit line on stderr add ${(serveCpuPerCert - handlerFile.cpuMsPerCert).toFixed(2)} ms in serve`
      : 'the HTTP layer (server, body reading, the audit line on stderr) does not show above the noise of that comparison'
  }.
Where the handler's time goes, in this run (1 / rate of each step alone): the file CA store's reads (ca.pem, stat and ca-key.pem) ${(1000 / storeLoad.perSecond).toFixed(2)} ms
and parsing the CA certificate again and importing its key ${(1000 / caParse.perSecond).toFixed(2)} ms per request, then issueForName
${(1000 / byName.perSecond).toFixed(2)} ms (parsing the CSR, decoding its new key, verifying its signature, signing). The file store
returns new strings on every request, so the handler's CA cache (kept while the store returns the same material)
never hits: ${
    handlerHeld.perSecond > handlerFile.perSecond * 1.1
      ? `with the material held, as the Secrets Manager store's cache does on Lambda, the same handler gives
${int(handlerHeld.perSecond)}/s instead of ${int(handlerFile.perSecond)}/s. A cache in the file store (reloaded when the files' mtime or size change)
would give serve about ${(handlerHeld.perSecond / handlerFile.perSecond).toFixed(1)}x its rate`
      : `holding the material changes little here (${int(handlerHeld.perSecond)}/s against ${int(handlerFile.perSecond)}/s)`
  }. Latency is queueing: ${CONCURRENCY} requests share one
thread, so each waits about ${CONCURRENCY} × 1/throughput = ${ms((CONCURRENCY * 1000) / servedRate)}; more throughput needs more processes (Lambda runs
one request per instance and scales out), not more concurrency.`;
} finally {
  agent.destroy();
  await stopServe();
  rmSync(dir, { recursive: true, force: true });
}
console.log(report);
