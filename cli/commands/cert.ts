// `cert issue NAME`: a member gets a server+peer certificate, a user a client certificate, per the
// policy; from `--csr FILE` or with a new key written 0600 next to the certificate.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WardenError } from '../../shared/errors.js';
import { writeFileAtomically } from '../../shared/files/write-atomically.js';
import { issueForName, loadCa, MAX_CSR_BYTES, nodePkiContext } from '../../shared/pki/index.js';
import { parseCommand } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { loadPolicyFile } from '../policy-file.js';
import { caStoreFrom, DEFAULT_POLICY, durationFrom, pathFrom } from './pki-args.js';
import { SPECS } from './specs.js';

async function readCsr(path: string): Promise<Uint8Array> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new WardenError('invalid-input', `cannot read CSR ${path}: not a file`);
    if (info.size > MAX_CSR_BYTES)
      throw new WardenError(
        'invalid-input',
        `the CSR is ${info.size} bytes; at most ${MAX_CSR_BYTES} are accepted`,
      );
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if (error instanceof WardenError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new WardenError(
      'invalid-input',
      `cannot read CSR ${path}: ${code === 'ENOENT' ? 'no such file' : code}`,
    );
  }
}

export const certIssueCommand: Command = {
  async run(args, io) {
    const { values, positionals } = parseCommand(SPECS['cert issue'], args);
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw new UsageError('cert issue takes exactly one NAME');
    const ttlSeconds = durationFrom(values.ttl, '--ttl');
    const csr = values.csr === undefined ? undefined : await readCsr(pathFrom(io, values.csr));
    const policy = await loadPolicyFile(values.policy ?? DEFAULT_POLICY);
    const ctx = nodePkiContext();
    const ca = loadCa(await caStoreFrom(values['ca-store'], io).load(), ctx);
    const issued = await issueForName(policy, ca, { name, csr, ttlSeconds }, ctx);

    const dir = pathFrom(io, values.out);
    // A new output directory is private: it is about to hold a private key.
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const written = [join(values.out, `${issued.name}.pem`)];
    if (issued.privateKeyPem !== undefined) {
      await writeFileAtomically(join(dir, `${issued.name}-key.pem`), issued.privateKeyPem, { mode: 0o600 });
      written.push(join(values.out, `${issued.name}-key.pem`));
    }
    await writeFileAtomically(join(dir, `${issued.name}.pem`), issued.certificatePem, { mode: 0o644 });
    await writeFileAtomically(join(dir, 'ca.pem'), issued.caCertificatePem, { mode: 0o644 });
    written.push(join(values.out, 'ca.pem'));

    const kind = issued.profile === 'member' ? 'member (server+peer)' : 'client';
    io.out(
      `issued ${kind} certificate for ${issued.name}: serial ${issued.serial}, valid until ${issued.notAfter.toISOString()}\nwrote ${written.join(', ')}\n`,
    );
    if (issued.ignored.length > 0) {
      io.err(
        `note: ignored from the CSR (the policy decides subject, SANs and usages): ${issued.ignored.join(', ')}\n`,
      );
    }
    return 0;
  },
};
