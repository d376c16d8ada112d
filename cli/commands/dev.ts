// `etcd-warden dev`: the local sandbox. A CA in the local file store, a TLS etcd with
// --client-cert-auth on loopback, the example policy applied with auth on and verified, and the
// functions served on 127.0.0.1. It runs the same commands a user would (apply, verify, serve) and
// reuses whatever an earlier run left: the CA, etcd's data, the applied policy.
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { WardenError } from '../../shared/errors.js';
import { writeFileAtomically } from '../../shared/files/write-atomically.js';
import {
  createCa,
  issueClientCertificate,
  issueMemberCertificate,
  loadCa,
  nodePkiContext,
} from '../../shared/pki/index.js';
import { own } from '../../shared/policy/own.js';
import { type Policy, ROOT, type User } from '../../shared/policy/types.js';
import { parseCommand } from '../args.js';
import type { Command } from '../command.js';
import { startLocalEtcd } from '../dev/local-etcd.js';
import { lockSandbox } from '../dev/sandbox-lock.js';
import type { CliIo } from '../io.js';
import { loadPolicyFile } from '../policy-file.js';
import { applyCommand } from './apply.js';
import { caStoreFrom } from './pki-args.js';
import { serveCommand } from './serve.js';
import { SPECS } from './specs.js';
import { verifyCommand } from './verify.js';

const MEMBER = 'etcd-dev';
const PRIVATE = 0o600;

export const devCommand: Command = {
  async run(args, io) {
    const { values } = parseCommand(SPECS.dev, args);
    const policyFile = values.policy;
    const policy = await loadPolicyFile(resolve(io.cwd, policyFile));
    if (Object.hasOwn(policy.users, MEMBER)) {
      throw new WardenError(
        'invalid-policy',
        `the sandbox's etcd member is named "${MEMBER}", which the policy also uses as a user`,
      );
    }
    const dir = resolve(io.cwd, values.dir);
    const ports = {
      'etcd-port': port(values['etcd-port'], 'etcd-port'),
      'peer-port': port(values['peer-port'], 'peer-port'),
      'serve-port': port(values['serve-port'], 'serve-port'),
    };
    // Nothing is written before the lock is held: a running sandbox keeps its files.
    const lock = await lockSandbox(dir, ports);
    try {
      return await runSandbox(dir, ports, policy, policyFile, values, io);
    } finally {
      await lock.release();
    }
  },
};

async function runSandbox(
  dir: string,
  ports: Record<'etcd-port' | 'peer-port' | 'serve-port', number>,
  policy: Policy,
  policyFile: string,
  values: { 'ca-store'?: string },
  io: CliIo,
): Promise<number> {
  await mkdir(join(dir, 'data'), { recursive: true, mode: 0o700 });

  // The CA: reused when the store has one, so certificates issued earlier stay valid.
  const store = caStoreFrom(values['ca-store'], io);
  const ctx = nodePkiContext();
  const reused = await store.exists();
  if (!reused) await store.create(await createCa(policy.ca, ctx));
  const ca = await loadCa(await store.load(), ctx);
  io.out(`CA: ${reused ? 'reusing' : 'created'} ${store.url}\n`);

  // Short-lived member and root certificates, new on every run.
  const files = {
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, `${MEMBER}.pem`),
    keyFile: join(dir, `${MEMBER}-key.pem`),
    rootCert: join(dir, 'root.pem'),
    rootKey: join(dir, 'root-key.pem'),
    dataDir: join(dir, 'data'),
    logFile: join(dir, 'etcd.log'),
  };
  const member = await issueMemberCertificate(ca, MEMBER, ['127.0.0.1', 'localhost'], ctx);
  const root = await issueClientCertificate(ca, ROOT, ctx);
  await writeFileAtomically(files.caFile, ca.certificatePem, { mode: 0o644 });
  await writeFileAtomically(files.certFile, member.certificatePem, { mode: 0o644 });
  await writeFileAtomically(files.keyFile, member.privateKeyPem, { mode: PRIVATE });
  await writeFileAtomically(files.rootCert, root.certificatePem, { mode: 0o644 });
  await writeFileAtomically(files.rootKey, root.privateKeyPem, { mode: PRIVATE });

  const etcd = await startLocalEtcd({
    name: MEMBER,
    clientPort: ports['etcd-port'],
    peerPort: ports['peer-port'],
    files,
    probe: { ca: ca.certificatePem, cert: root.certificatePem, key: root.privateKeyPem },
  });
  const stopAll = async () => {
    await etcd.stop();
  };
  try {
    io.out(
      `etcd: ${etcd.endpoint} (pid ${etcd.pid}, data ${relative(io.cwd, files.dataDir)}, log ${relative(io.cwd, files.logFile)})\n`,
    );
    const connection = [
      '--endpoints',
      etcd.endpoint,
      '--cacert',
      files.caFile,
      '--cert',
      files.rootCert,
      '--key',
      files.rootKey,
    ];
    const caStoreArgs = values['ca-store'] ? ['--ca-store', values['ca-store']] : [];
    if ((await applyCommand.run([policyFile, '--yes', ...connection], io)) !== 0) {
      throw new WardenError('internal', 'the example policy could not be applied');
    }
    if ((await verifyCommand.run([policyFile, ...connection, ...caStoreArgs], io)) !== 0) {
      throw new WardenError('internal', 'verify found access that differs from the policy');
    }
    // serve: issue-cert authorizes against the applied policy; a local access key stands for an IAM caller.
    const example = exampleUser(policy);
    const credential = example && (await localCredential(join(dir, 'credentials.json'), example));
    const servePort = ports['serve-port'];
    const ready = instructions(io, {
      endpoint: etcd.endpoint,
      policyFile,
      caStoreArgs,
      dir: relative(io.cwd, dir) || '.',
      nodeDir: join(dir, 'node'),
      user: example,
      serve: credential ? { url: `http://127.0.0.1:${servePort}`, credential } : undefined,
    });
    // serve runs until Ctrl-C; "ready" follows its "listening on" line.
    const serveIo: CliIo = {
      ...io,
      out: (text) => {
        io.out(text);
        if (text.startsWith('listening on')) io.out(`${ready}ready (Ctrl-C stops etcd and serve)\n`);
      },
    };
    const serveArgs = ['--port', String(servePort), '--policy', resolve(io.cwd, policyFile)];
    if (credential) serveArgs.push('--credentials', join(dir, 'credentials.json'));
    await serveCommand.run([...serveArgs, '--endpoints', etcd.endpoint, ...caStoreArgs], serveIo);
    io.out('\nstopping\n');
  } finally {
    await stopAll();
  }
  return 0;
}

interface ExampleUser {
  user: User;
  /** A key inside the user's first prefix, and one outside everything it holds. */
  inside: string;
  outside: string;
}

/** The first user, other than root, whose roles grant a prefix: the one the printed commands use. */
function exampleUser(policy: Policy): ExampleUser | undefined {
  for (const user of Object.values(policy.users)) {
    if (user.name === ROOT || user.roles.includes(ROOT)) continue;
    for (const role of user.roles) {
      const prefix = own(policy.roles, role)?.permissions.find(
        (p) => p.span.type === 'prefix' && p.access !== 'read',
      );
      if (prefix?.span.type === 'prefix') {
        return { user, inside: `${prefix.span.prefix}hello`, outside: '/etcd-warden-dev/outside' };
      }
    }
  }
  return undefined;
}

interface LocalCredential {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * An access key for serve, standing for an assumed-role session of the IAM role the example
 * user's requesters name: requests signed with it (SigV4) reach issue-cert as that session. Kept
 * in the sandbox's folder, so a rerun keeps the same key.
 */
async function localCredential(file: string, example: ExampleUser): Promise<LocalCredential | undefined> {
  const role = (example.user.certificate?.requesters ?? [])
    .map((pattern) => /^arn:([\w-]+):iam::(\d{12}):role\/([\w+=,.@-]+)$/.exec(pattern))
    .find(Boolean);
  if (!role) return undefined;
  const principal = `arn:${role[1]}:sts::${role[2]}:assumed-role/${role[3]}/etcd-warden-dev`;
  let credentials: Record<string, { secretAccessKey: string; principal: string }> = {};
  try {
    credentials = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    // No file yet: the first run writes it.
  }
  const known = Object.entries(credentials).find(([, c]) => c.principal === principal);
  if (known) return { accessKeyId: known[0], secretAccessKey: known[1].secretAccessKey };
  // The shape of AWS's own keys: AKIA and 16 upper-case characters, a 40-character secret.
  const accessKeyId = `AKIA${randomBytes(10).toString('hex').toUpperCase().slice(0, 16)}`;
  const secretAccessKey = randomBytes(30).toString('base64url');
  await writeFileAtomically(
    file,
    `${JSON.stringify({ ...credentials, [accessKeyId]: { secretAccessKey, principal } }, null, 2)}\n`,
    { mode: PRIVATE },
  );
  return { accessKeyId, secretAccessKey };
}

/** Commands a person pastes into another shell: issue a certificate, use it with etcdctl, plan, HTTP. */
function instructions(
  io: CliIo,
  o: {
    endpoint: string;
    policyFile: string;
    caStoreArgs: string[];
    dir: string;
    user?: ExampleUser;
    serve?: { url: string; credential: LocalCredential };
    /** Absolute: a node's files, for commands pasted in any folder. */
    nodeDir: string;
  },
): string {
  const warden = existsSync(join(io.cwd, 'node_modules', '.bin', 'etcd-warden'))
    ? 'npx etcd-warden'
    : // The script this process was started with (bin/etcd-warden.js, wherever the bundle's chunks
      // lie), without the links npx starts it through.
      `node ${realpathSync(resolve(process.argv[1] ?? 'bin/etcd-warden.js'))}`;
  const certs = join(o.dir, 'certs');
  const store = o.caStoreArgs.length ? ` ${o.caStoreArgs.join(' ')}` : '';
  const lines = ['', 'Try it from another shell:'];
  if (o.user) {
    const name = o.user.user.name;
    const etcdctl = `ETCDCTL_API=3 etcdctl --endpoints ${o.endpoint} --cacert ${certs}/ca.pem --cert ${certs}/${name}.pem --key ${certs}/${name}-key.pem`;
    lines.push(
      `  ${warden} cert issue ${name} --policy ${o.policyFile}${store} --out ${certs}`,
      `  ${etcdctl} put ${o.user.inside} world     # allowed: inside ${name}'s prefix`,
      `  ${etcdctl} get ${o.user.outside}          # refused: permission denied`,
    );
  }
  lines.push(
    `  ${warden} plan ${o.policyFile} --endpoints ${o.endpoint} --cacert ${o.dir}/ca.pem --cert ${o.dir}/root.pem --key ${o.dir}/root-key.pem`,
  );
  if (o.user && o.serve) {
    const { accessKeyId, secretAccessKey } = o.serve.credential;
    lines.push(
      `  export AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey}     # the example user's IAM role, to serve`,
      `  curl -s --aws-sigv4 aws:amz:us-east-1:lambda --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -X POST ${o.serve.url}/certificates -H 'Content-Type: application/json' -d '{"user":"${o.user.user.name}","generateKey":true}'     # issue-cert over HTTP, signed`,
      `  ${warden} cert request ${o.user.user.name} --url ${o.serve.url} --region us-east-1 --out ${o.nodeDir}     # as a node: its own key, checked answer`,
      `  ${warden} agent --once --url ${o.serve.url} --region us-east-1 --name ${o.user.user.name} --out ${o.nodeDir}     # renews only when due`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}

function port(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new WardenError('invalid-input', `--${flag} ${JSON.stringify(text)} is not a TCP port`);
  }
  return value;
}
