// `cert request NAME --url URL --out DIR`: a node asks issue-cert for its own certificate. The key
// is made here and never leaves; the answer is checked before any file is written.

import { parseCommand } from '../args.js';
import { type Command, UsageError } from '../command.js';
import {
  certificateFiles,
  certificateObtainer,
  installCertificate,
  resolveName,
} from '../node-certificate.js';
import { durationFrom, pathFrom } from './pki-args.js';
import { SPECS } from './specs.js';

export const certRequestCommand: Command = {
  async run(args, io) {
    const { values, positionals } = parseCommand(SPECS['cert request'], args);
    const [pattern, ...extra] = positionals;
    if (!pattern || extra.length > 0) throw new UsageError('cert request takes exactly one NAME');
    if (!values.url) throw new UsageError('--url is required: the issue-cert function URL');
    const ttlSeconds = durationFrom(values.ttl, '--ttl');
    const name = await resolveName(pattern);
    const obtain = certificateObtainer(name, {
      url: values.url,
      env: io.env,
      ...(values.region === undefined ? {} : { region: values.region }),
      ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
    });
    const obtained = await obtain();
    const dir = pathFrom(io, values.out);
    await installCertificate(dir, name, obtained);
    const files = certificateFiles(values.out, name);
    io.out(
      `issued client certificate for ${name}, valid until ${obtained.notAfter.toISOString()}\nwrote ${files.certificate}, ${files.key}, ${files.ca}\n`,
    );
    return 0;
  },
};
