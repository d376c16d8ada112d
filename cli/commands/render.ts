// `render NAME --format …`: component configuration from the files `cert issue` wrote.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WardenError } from '../../shared/errors.js';
import {
  certificateInfo,
  memberEndpoints,
  RENDER_FORMATS,
  type RenderFormat,
  renderConfig,
} from '../../shared/pki/index.js';
import { parseCommand } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { loadPolicyFile } from '../policy-file.js';
import { DEFAULT_POLICY, pathFrom } from './pki-args.js';
import { SPECS } from './specs.js';

async function readIssued(path: string, required: boolean): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    throw new WardenError(
      'not-found',
      `cannot read ${path}: ${code === 'ENOENT' ? 'no such file (run `etcd-warden cert issue` first)' : code}`,
    );
  }
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

// --endpoints, then ETCDCTL_ENDPOINTS, then the policy's members (when a policy file is there).
async function endpointsFor(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  policyPath: string,
): Promise<string[]> {
  const given = flag ?? env.ETCDCTL_ENDPOINTS;
  if (given)
    return given
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
  if (!(await exists(policyPath))) return [];
  return memberEndpoints(Object.values((await loadPolicyFile(policyPath)).members));
}

export const renderCommand: Command = {
  async run(args, io) {
    const { values, positionals } = parseCommand(SPECS.render, args);
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw new UsageError('render takes exactly one NAME');
    const format = values.format as RenderFormat;
    if (!RENDER_FORMATS.includes(format))
      throw new UsageError(`--format must be one of ${RENDER_FORMATS.join(', ')}`);
    // NAME becomes part of file paths: only names the policy could have.
    if (!/^[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}$/.test(name))
      throw new UsageError(`${JSON.stringify(name)} is not a user or member name`);

    const dir = pathFrom(io, values.dir);
    const certificateFile = join(dir, `${name}.pem`);
    const keyFile = join(dir, `${name}-key.pem`);
    const caFile = join(dir, 'ca.pem');
    const crlFile = join(dir, 'crl.pem');
    const certificatePem = (await readIssued(certificateFile, true)) as string;
    const caPem = (await readIssued(caFile, true)) as string;
    const privateKeyPem = format === 'k8s-secret' ? await readIssued(keyFile, false) : undefined;
    const endpoints =
      format === 'apiserver-flags' || format === 'calicoctl'
        ? await endpointsFor(values.endpoints, io.env, pathFrom(io, values.policy ?? DEFAULT_POLICY))
        : [];

    io.out(
      renderConfig(format, {
        name,
        certificate: certificateInfo(certificatePem, certificateFile),
        certificatePem,
        privateKeyPem,
        caPem,
        certificateFile,
        keyFile,
        caFile,
        crlFile: (await exists(crlFile)) ? crlFile : undefined,
        endpoints,
      }),
    );
    return 0;
  },
};
