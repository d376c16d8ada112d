// `etcd-warden dev`: the local sandbox. A CA in the local file store, a TLS etcd with
// --client-cert-auth on loopback, the example policy applied with auth on and verified, and the
// functions served on 127.0.0.1. It runs the same commands a user would (apply, verify) and
// reuses whatever an earlier run left: the CA, etcd's data, the applied policy.
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { WardenError } from '../../shared/errors.js';
import {
  createCa,
  issueClientCertificate,
  issueMemberCertificate,
  loadCa,
  nodePkiContext,
} from '../../shared/pki/index.js';
import { ROOT } from '../../shared/policy/types.js';
import type { Command } from '../command.js';
import { startLocalEtcd } from '../dev/local-etcd.js';
import type { CliIo } from '../io.js';
import { loadPolicyFile } from '../policy-file.js';
import { applyCommand } from './apply.js';
import { caStoreFrom, strictArgs, writeFileSafely } from './pki-args.js';
import { verifyCommand } from './verify.js';

const MEMBER = 'etcd-dev';
const DEFAULT_POLICY = 'examples/calico-kubernetes-simple.yaml';
const PRIVATE = 0o600;

export const devCommand: Command = {
  name: 'dev',
  summary: 'local sandbox: CA, TLS etcd with auth, the example policy applied and verified',
  usage: `dev [--policy FILE (default ${DEFAULT_POLICY})] [--dir DIR (default .etcd-warden/dev)] [--ca-store URL] [--etcd-port 23790] [--peer-port 23800]`,
  async run(args, io) {
    const { values } = strictArgs(() =>
      parseArgs({
        args,
        options: {
          policy: { type: 'string', default: DEFAULT_POLICY },
          dir: { type: 'string', default: join('.etcd-warden', 'dev') },
          'ca-store': { type: 'string' },
          'etcd-port': { type: 'string', default: '23790' },
          'peer-port': { type: 'string', default: '23800' },
        },
      }),
    );
    const policyFile = values.policy;
    const policy = await loadPolicyFile(resolve(io.cwd, policyFile));
    if (Object.hasOwn(policy.users, MEMBER)) {
      throw new WardenError(
        'invalid-policy',
        `the sandbox's etcd member is named "${MEMBER}", which the policy also uses as a user`,
      );
    }
    const dir = resolve(io.cwd, values.dir);
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
    await replace(files.caFile, ca.certificatePem, 0o644);
    await replace(files.certFile, member.certificatePem, 0o644);
    await replace(files.keyFile, member.privateKeyPem, PRIVATE);
    await replace(files.rootCert, root.certificatePem, 0o644);
    await replace(files.rootKey, root.privateKeyPem, PRIVATE);

    const etcd = await startLocalEtcd({
      name: MEMBER,
      clientPort: port(values['etcd-port'], 'etcd-port'),
      peerPort: port(values['peer-port'], 'peer-port'),
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
      io.out(
        instructions(io, {
          endpoint: etcd.endpoint,
          policyFile,
          caStoreArgs,
          dir: relative(io.cwd, dir) || '.',
        }),
      );
      io.out('ready (Ctrl-C stops etcd)\n');
      await untilInterrupted();
      io.out('\nstopping\n');
    } finally {
      await stopAll();
    }
    return 0;
  },
};

/** Commands a person pastes into another shell: issue a certificate, then use it with etcdctl. */
function instructions(
  io: CliIo,
  o: { endpoint: string; policyFile: string; caStoreArgs: string[]; dir: string },
): string {
  const warden = existsSync(join(io.cwd, 'node_modules', '.bin', 'etcd-warden'))
    ? 'npx etcd-warden'
    : `node ${resolve(import.meta.dirname ?? '.', '..', '..', 'bin', 'etcd-warden.js')}`;
  const certs = join(o.dir, 'certs');
  const etcdctl = (user: string) =>
    `ETCDCTL_API=3 etcdctl --endpoints ${o.endpoint} --cacert ${certs}/ca.pem --cert ${certs}/${user}.pem --key ${certs}/${user}-key.pem`;
  const store = o.caStoreArgs.length ? ` ${o.caStoreArgs.join(' ')}` : '';
  return [
    '',
    'Try it from another shell:',
    `  ${warden} cert issue calico --policy ${o.policyFile}${store} --out ${certs}`,
    `  ${etcdctl('calico')} put /calico/hello world     # allowed: calico owns /calico/`,
    `  ${etcdctl('calico')} get /registry/pods          # refused: permission denied`,
    `  ${warden} plan ${o.policyFile} --endpoints ${o.endpoint} --cacert ${o.dir}/ca.pem --cert ${o.dir}/root.pem --key ${o.dir}/root-key.pem`,
    '',
    '',
  ].join('\n');
}

function port(text: string, flag: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new WardenError('invalid-input', `--${flag} ${JSON.stringify(text)} is not a TCP port`);
  }
  return value;
}

async function replace(path: string, content: string, mode: number): Promise<void> {
  await rm(path, { force: true });
  await writeFileSafely(path, content, mode);
}

function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
