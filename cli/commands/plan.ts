import { withClusterAccess } from '../../shared/etcd/backend.js';
import { preloadEtcd3 } from '../../shared/etcd/etcd3-runtime.js';
import { changeToJson, formatPlan, summarizeChanges } from '../../shared/rbac/format-plan.js';
import { planPolicy } from '../../shared/rbac/plan-policy.js';
import { parseCommand } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { resolveConnection, useColor } from '../connection.js';
import { loadPolicyFile } from '../policy-file.js';
import { printWarnings } from '../warnings.js';
import { SPECS } from './specs.js';

export const planCommand: Command = {
  async run(args, io) {
    const { values, positionals } = parseCommand(SPECS.plan, args);
    if (positionals.length > 1) throw new UsageError('plan takes one policy file');
    const file = positionals[0] ?? values.policy ?? 'etcd-warden.yaml';
    preloadEtcd3();
    const policy = await loadPolicyFile(file);
    const connection = await resolveConnection(values, io);

    const { changes, warnings } = await withClusterAccess(connection, {}, ({ backend, versions }) =>
      planPolicy(policy, backend, connection.identity, versions),
    );

    printWarnings(io, warnings);
    if (values.json) {
      io.out(
        `${JSON.stringify({ changes: changes.map(changeToJson), summary: summarizeChanges(changes), warnings }, null, 2)}\n`,
      );
    } else {
      io.out(`${formatPlan(changes, useColor(io))}\n`);
    }
    return values['detailed-exitcode'] && changes.length > 0 ? 2 : 0;
  },
};
