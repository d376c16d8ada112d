// `ca init`, `ca show`, `ca crl`: create the CA in its store, print its certificate, write the CRL.
import { WardenError } from '../../shared/errors.js';
import { writeFileAtomically } from '../../shared/files/write-atomically.js';
import {
  buildCrl,
  createCa,
  DEFAULT_CRL_VALIDITY_SECONDS,
  loadCa,
  nodePkiContext,
} from '../../shared/pki/index.js';
import { parseCommand } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../command.js';
import { loadPolicyFile } from '../policy-file.js';
import { caStoreFrom, DEFAULT_POLICY, durationFrom, pathFrom } from './pki-args.js';
import { SPECS } from './specs.js';

const noPositionals = (positionals: string[], command: string): void => {
  if (positionals.length > 0)
    throw new UsageError(`${command} takes no arguments (got ${positionals.join(' ')})`);
};

export const caInitCommand: Command = {
  async run(args, io) {
    const { values, positionals } = parseCommand(SPECS['ca init'], args);
    noPositionals(positionals, 'ca init');
    const policy = await loadPolicyFile(values.policy ?? DEFAULT_POLICY);
    const store = caStoreFrom(values['ca-store'], io);
    // Check before generating: an RSA-4096 key takes seconds, and the answer would be "no" anyway.
    if (!values.force && (await store.exists())) {
      throw new WardenError(
        'conflict',
        `a CA already exists in ${store.url}; refusing to overwrite it (use --force to replace it)`,
      );
    }
    const { certificatePem, privateKeyPem, ca } = await createCa(policy.ca, nodePkiContext());
    await store.create({ certificatePem, privateKeyPem }, { overwrite: values.force });
    io.out(
      `created CA "${ca.commonName}" (${ca.keyDescription}, serial ${ca.serial}, valid until ${ca.notAfter.toISOString()}) in ${store.url}\n`,
    );
    return 0;
  },
};

export const caShowCommand: Command = {
  async run(args, io) {
    const { values, positionals } = parseCommand(SPECS['ca show'], args);
    noPositionals(positionals, 'ca show');
    io.out(await caStoreFrom(values['ca-store'], io).loadCertificate());
    return 0;
  },
};

export const caCrlCommand: Command = {
  async run(args, io) {
    const { values, positionals } = parseCommand(SPECS['ca crl'], args);
    noPositionals(positionals, 'ca crl');
    const validity = durationFrom(values.validity, '--validity') ?? DEFAULT_CRL_VALIDITY_SECONDS;
    const policy = await loadPolicyFile(values.policy ?? DEFAULT_POLICY);
    const ctx = nodePkiContext();
    const ca = loadCa(await caStoreFrom(values['ca-store'], io).load(), ctx);
    const crl = await buildCrl(ca, policy.ca.revoked, ctx, validity);
    if (values.out === undefined) {
      io.out(crl.crlPem);
    } else {
      await writeFileAtomically(pathFrom(io, values.out), crl.crlPem, { mode: 0o644 });
      io.out(
        `wrote CRL ${crl.number} (${policy.ca.revoked.length} revoked serial${policy.ca.revoked.length === 1 ? '' : 's'}, next update ${crl.nextUpdate.toISOString()}) to ${values.out}\n`,
      );
    }
    return 0;
  },
};
