import { parseArgs } from 'node:util';
import { readAuthState } from '../../shared/etcd/read-auth-state.js';
import { changeToJson, formatPlan, summarizeChanges } from '../../shared/rbac/format-plan.js';
import { planPolicy } from '../../shared/rbac/plan-policy.js';
import { type Command, UsageError } from '../command.js';
import {
  CONNECTION_USAGE,
  connectionOptions,
  resolveConnection,
  useColor,
  withAuthReads,
} from '../connection.js';
import { loadPolicyFile } from '../policy-file.js';

export const planCommand: Command = {
  usage: `plan [FILE] [--policy FILE] [--json] [--detailed-exitcode] ${CONNECTION_USAGE}`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...connectionOptions,
        policy: { type: 'string' },
        json: { type: 'boolean', default: false },
        'detailed-exitcode': { type: 'boolean', default: false },
      },
    });
    if (positionals.length > 1) throw new UsageError('plan takes one policy file');
    const file = positionals[0] ?? values.policy ?? 'etcd-warden.yaml';
    const policy = await loadPolicyFile(file);
    const connection = await resolveConnection(values, io);

    const changes = await withAuthReads(connection, (reads) =>
      planPolicy(policy, { readState: () => readAuthState(reads) }, connection.identity),
    );

    if (values.json) {
      io.out(
        `${JSON.stringify({ changes: changes.map(changeToJson), summary: summarizeChanges(changes) }, null, 2)}\n`,
      );
    } else {
      io.out(`${formatPlan(changes, useColor(io))}\n`);
    }
    return values['detailed-exitcode'] && changes.length > 0 ? 2 : 0;
  },
};
