import { withEtcd } from '../../shared/etcd/connect.js';
import { preloadEtcd3 } from '../../shared/etcd/etcd3-runtime.js';
import { readAuthState } from '../../shared/etcd/read-auth-state.js';
import { changeToJson, formatPlan, summarizeChanges } from '../../shared/rbac/format-plan.js';
import { planPolicy } from '../../shared/rbac/plan-policy.js';
import { parseCommand } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { resolveConnection, useColor } from '../connection.js';
import { loadPolicyFile } from '../policy-file.js';
import { SPECS } from './specs.js';

export const planCommand: Command = {
  async run(args, io) {
    const { values, positionals } = parseCommand(SPECS.plan, args);
    if (positionals.length > 1) throw new UsageError('plan takes one policy file');
    const file = positionals[0] ?? values.policy ?? 'etcd-warden.yaml';
    preloadEtcd3();
    const policy = await loadPolicyFile(file);
    const connection = await resolveConnection(values, io);

    const changes = await withEtcd(connection, (client) =>
      planPolicy(policy, { readState: () => readAuthState(client) }, connection.identity),
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
