// The node side: one `cert request` round trip against `etcd-warden serve` (the built CLI, whole
// command: start, key, CSR, SigV4, issue-cert, checks, files), beside a bare `node -e 0` start and
// a signed POST from a warm process (`curl --aws-sigv4`'s work, without the key and the checks);
// and the agent idle between renewals: resident memory and CPU over a quiet stretch.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { functionUrlPoster } from '../shared/aws/function-url.js';
import { createCa, nodePkiContext } from '../shared/pki/index.js';
import { loadPolicy } from '../shared/policy/load.js';

const BIN = join(process.cwd(), 'bin', 'etcd-warden.js');
const ROUNDS = 15;
const IDLE_MS = 10_000;
const KEY = { id: 'AKIABENCHAGENT00001', secret: 'bench-agent-secret-0001' };
const POLICY = `version: 1
roles:
  app: [{ prefix: /app/, access: readwrite }]
users:
  root: { roles: [root] }
  app:
    roles: [app]
    certificate: { ttl: 720h, requesters: ["arn:aws:sts::123456789012:assumed-role/app-runner/*"] }
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const ms = (x: number) => `${x.toFixed(0)} ms`;

const dir = mkdtempSync(join(tmpdir(), 'warden-agent-bench-'));
const env = {
  ...process.env,
  NO_COLOR: '1',
  AWS_ACCESS_KEY_ID: KEY.id,
  AWS_SECRET_ACCESS_KEY: KEY.secret,
  AWS_REGION: 'us-east-1',
  AWS_CONFIG_FILE: '/nonexistent',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
};

/** Seconds of CPU (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
const rssMiB = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function main(): Promise<string> {
  const ctx = nodePkiContext();
  const policy = loadPolicy(POLICY, 'bench.yaml').policy;
  if (!policy) throw new Error('bench policy invalid');
  const made = await createCa(policy.ca, ctx);
  writeFileSync(join(dir, 'ca.pem'), made.certificatePem);
  writeFileSync(join(dir, 'ca-key.pem'), made.privateKeyPem, { mode: 0o600 });
  writeFileSync(join(dir, 'policy.yaml'), POLICY);
  writeFileSync(
    join(dir, 'credentials.json'),
    JSON.stringify({
      [KEY.id]: {
        secretAccessKey: KEY.secret,
        principal: 'arn:aws:sts::123456789012:assumed-role/app-runner/bench',
      },
    }),
  );
  const serve = spawn(
    process.execPath,
    [
      BIN,
      'serve',
      '--port',
      '0',
      '--policy',
      'policy.yaml',
      '--ca-store',
      `file://${dir}`,
      '--credentials',
      'credentials.json',
    ],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('serve did not start')), 15_000);
      serve.stdout?.on('data', (d) => {
        const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(String(d))?.[1];
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
      });
    });

    const whole: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      let start = performance.now();
      const run = spawnSync(
        process.execPath,
        [BIN, 'cert', 'request', 'app', '--url', url, '--out', `certs-${i}`],
        {
          cwd: dir,
          env,
          encoding: 'utf8',
        },
      );
      whole.push(performance.now() - start);
      if (run.status !== 0) throw new Error(`cert request failed: ${run.stderr}`);
      start = performance.now();
      spawnSync(process.execPath, ['-e', '0']);
      bare.push(performance.now() - start);
    }
    // A signed POST from a warm process: what the request itself costs once everything is loaded.
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: KEY.id, AWS_SECRET_ACCESS_KEY: KEY.secret });
    const post = functionUrlPoster(url, 'certificates', { region: 'us-east-1', env: process.env });
    const body = JSON.stringify({ user: 'app', generateKey: true });
    await post(body);
    const warm: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const start = performance.now();
      const answer = await post(body);
      warm.push(performance.now() - start);
      if (answer.status !== 201) throw new Error(`signed POST: ${answer.status}`);
    }

    // The agent, its certificate fresh (720h): it waits, and should cost nothing while it does.
    const agent = spawn(
      process.execPath,
      [BIN, 'agent', '--url', url, '--name', 'app', '--out', 'agent-certs'],
      {
        cwd: dir,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let log = '';
    agent.stderr?.on('data', (d) => {
      log += d;
    });
    const waitingBy = Date.now() + 20_000;
    while (!log.includes('"event":"waiting"') && Date.now() < waitingBy)
      await new Promise((r) => setTimeout(r, 50));
    if (!agent.pid || !log.includes('"event":"waiting"')) throw new Error(`agent did not settle: ${log}`);
    // Past its start (JIT, the first collection), what the wait itself costs.
    await new Promise((r) => setTimeout(r, 3_000));
    const cpuBefore = cpuSeconds(agent.pid);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const cpuIdle = cpuSeconds(agent.pid) - cpuBefore;
    const rss = rssMiB(agent.pid);
    const bareNode = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 5000)']);
    await new Promise((r) => setTimeout(r, 500));
    const bareRss = bareNode.pid ? rssMiB(bareNode.pid) : 0;
    bareNode.kill();
    agent.kill('SIGTERM');

    return `## Node side: cert request and the agent

\`cert request app --url <serve> --out DIR\` against \`etcd-warden serve\` on 127.0.0.1 (the built CLI, a new ECDSA
P-256 key, a pkijs CSR, a SigV4-signed POST through the SDK's credential chain, issue-cert, the answer's checks,
three files written), ${ROUNDS} rounds; beside it, in the same run, a bare \`node -e 0\` start and a signed POST from a
process that has everything loaded already.

| | median |
|---|---:|
| \`cert request\`, whole command | ${ms(median(whole))} |
| \`node -e 0\` | ${ms(median(bare))} |
| the command over a bare start | ${ms(median(whole) - median(bare))} (${(median(whole) / median(bare)).toFixed(1)}x) |
| one signed POST /certificates, warm process (key made by issue-cert) | ${ms(median(warm))} |

The agent idle between renewals (its certificate fresh, the next renewal weeks away), measured over ${IDLE_MS / 1000} s:

| | agent | bare \`node\` waiting on a timer |
|---|---:|---:|
| resident memory | ${rss.toFixed(1)} MiB | ${bareRss.toFixed(1)} MiB |
| CPU while waiting | ${(cpuIdle * 1000).toFixed(0)} ms in ${IDLE_MS / 1000} s | |
`;
  } finally {
    serve.kill('SIGTERM');
  }
}

main()
  .then((text) => {
    process.stdout.write(text);
  })
  .finally(() => rmSync(dir, { recursive: true, force: true }));
