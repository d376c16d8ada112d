import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { WardenError } from '../../shared/errors.js';
import { withEtcd } from '../../shared/etcd/connect.js';
import { preloadEtcd3 } from '../../shared/etcd/etcd3-runtime.js';
import { readAuthState } from '../../shared/etcd/read-auth-state.js';
import { importPolicy } from '../../shared/rbac/import.js';
import { type Command, UsageError } from '../command.js';
import { CONNECTION_USAGE, connectionOptions, resolveConnection } from '../connection.js';

export const importCommand: Command = {
  usage: `import [--out FILE] [--force] ${CONNECTION_USAGE}`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { ...connectionOptions, out: { type: 'string' }, force: { type: 'boolean', default: false } },
    });
    if (positionals.length > 0) throw new UsageError('import takes no positional argument; use --out FILE');
    preloadEtcd3();
    const connection = await resolveConnection(values, io);
    const live = await withEtcd(connection, (client) => readAuthState(client));
    const text = importPolicy(live, { endpoints: connection.endpoints.join(','), now: new Date() });
    if (!values.out) {
      io.out(text);
      return 0;
    }
    try {
      await writeFile(resolve(io.cwd, values.out), text, { flag: values.force ? 'w' : 'wx' });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new WardenError(
        'invalid-input',
        code === 'EEXIST'
          ? `${values.out} exists: pass --force to overwrite it`
          : `cannot write ${values.out}: ${code}`,
      );
    }
    io.err(`wrote ${values.out}: ${live.roles.size} roles, ${live.users.size} users\n`);
    return 0;
  },
};
