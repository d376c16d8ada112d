import { parseArgs } from 'node:util';
import { withEtcd } from '../../shared/etcd/connect.js';
import { preloadEtcd3 } from '../../shared/etcd/etcd3-runtime.js';
import { readAuthState } from '../../shared/etcd/read-auth-state.js';
import { changeToJson, formatPlan, summarizeChanges } from '../../shared/rbac/format-plan.js';
import { planChanges } from '../../shared/rbac/plan.js';
import { assertPlanIsSafe } from '../../shared/rbac/safety.js';
import { type Command, UsageError } from '../command.js';
import { CONNECTION_USAGE, connectionOptions, resolveConnection, useColor } from '../connection.js';
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
    preloadEtcd3();
    const policy = await loadPolicyFile(file);
    const connection = await resolveConnection(values, io);

    const changes = await withEtcd(connection, async (client) => {
      const live = await readAuthState(client);
      const planned = planChanges(policy, live);
      // A plan that apply would refuse is an error here too, so review catches it early.
      assertPlanIsSafe(live, planned, connection.identity);
      return planned;
    });

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
