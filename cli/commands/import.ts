import { resolve } from 'node:path';
import { isWardenError, WardenError } from '../../shared/errors.js';
import { withClusterAccess } from '../../shared/etcd/backend.js';
import { preloadEtcd3 } from '../../shared/etcd/etcd3-runtime.js';
import { writeFileAtomically } from '../../shared/files/write-atomically.js';
import { importPolicy } from '../../shared/rbac/import.js';
import { parseCommand } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { resolveConnection } from '../connection.js';
import { SPECS } from './specs.js';

export const importCommand: Command = {
  async run(args, io) {
    const { values, positionals } = parseCommand(SPECS.import, args);
    if (positionals.length > 0) throw new UsageError('import takes no positional argument; use --out FILE');
    preloadEtcd3();
    const connection = await resolveConnection(values, io);
    // Both stores: a v2 store with content is imported too (apis holds v2 then).
    const live = await withClusterAccess(connection, {}, ({ backend }) => backend.readState());
    const text = importPolicy(live, { endpoints: connection.endpoints.join(','), now: new Date() });
    if (!values.out) {
      io.out(text);
      return 0;
    }
    try {
      await writeFileAtomically(resolve(io.cwd, values.out), text, { replace: values.force });
    } catch (error) {
      if (isWardenError(error) && error.code === 'conflict')
        throw new WardenError('invalid-input', `${values.out} exists: pass --force to overwrite it`);
      throw error;
    }
    io.err(`wrote ${values.out}: ${live.roles.size} roles, ${live.users.size} users\n`);
    return 0;
  },
};
