import { resolve } from 'node:path';
import { isWardenError, WardenError } from '../../shared/errors.js';
import { withEtcd } from '../../shared/etcd/connect.js';
import { preloadEtcd3 } from '../../shared/etcd/etcd3-runtime.js';
import { readAuthState } from '../../shared/etcd/read-auth-state.js';
import { readV2State } from '../../shared/etcd/v2-auth.js';
import { v2Http } from '../../shared/etcd/v2-http.js';
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
    // Both stores. v2's is read by its root user only: an identity that is root on v3 alone still
    // imports v3, and the file says v2 was not read.
    const notes: string[] = [];
    const live = await withEtcd(connection, async (client) => {
      const [v3, v2] = await Promise.all([
        readAuthState(client),
        readV2State(v2Http(connection)).catch((error: unknown) => {
          if (!isWardenError(error) || error.code !== 'forbidden') throw error;
          notes.push(`the v2 store was not read (${error.message}): only v3 is in this file`);
          return undefined;
        }),
      ]);
      return v2 ? { ...v3, v2 } : v3;
    });
    const imported = importPolicy(live, {
      endpoints: connection.endpoints.join(','),
      now: new Date(),
      notes,
    });
    if (!values.out) {
      io.out(imported.text);
      return 0;
    }
    try {
      await writeFileAtomically(resolve(io.cwd, values.out), imported.text, { replace: values.force });
    } catch (error) {
      if (isWardenError(error) && error.code === 'conflict')
        throw new WardenError('invalid-input', `${values.out} exists: pass --force to overwrite it`);
      throw error;
    }
    io.err(`wrote ${values.out}: ${imported.roles} roles, ${imported.users} users\n`);
    return 0;
  },
};
