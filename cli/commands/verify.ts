import { preloadEtcd3 } from '../../shared/etcd/etcd3-runtime.js';
import { userSessions } from '../../shared/etcd/user-session.js';
import { loadCa, nodePkiContext } from '../../shared/pki/index.js';
import { describeSpan, fromEtcdRange } from '../../shared/policy/keyspan.js';
import { planProbes } from '../../shared/rbac/probes.js';
import { formatMatrix, mismatches, runProbes } from '../../shared/rbac/verify.js';
import { parseCommand } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { resolveConnection, useColor } from '../connection.js';
import { loadPolicyFile } from '../policy-file.js';
import { caStoreFrom } from './pki-args.js';
import { SPECS } from './specs.js';

export const verifyCommand: Command = {
  async run(args, io) {
    const { values, positionals } = parseCommand(SPECS.verify, args);
    if (positionals.length > 1) throw new UsageError('verify takes one policy file');
    const file = positionals[0] ?? values.policy ?? 'etcd-warden.yaml';
    preloadEtcd3();
    const policy = await loadPolicyFile(file);
    // Only the server trust anchor is used from the connection: each probe mints its own user.
    const connection = await resolveConnection(values, io);
    const pki = nodePkiContext();
    const ca = loadCa(await caStoreFrom(values['ca-store'], io).load(), pki);

    const results = await runProbes(
      planProbes(policy),
      userSessions({
        endpoints: connection.endpoints,
        caPem: connection.caPem,
        ca,
        pki,
        callTimeoutMs: connection.callTimeoutMs,
      }),
    );
    const wrong = mismatches(results);
    if (values.json) {
      const json = results.map((r) => ({
        user: r.user,
        operation: r.operation,
        probe: r.where,
        span: fromEtcdRange(r),
        keys: describeSpan(fromEtcdRange(r)),
        expected: r.expected ? 'allowed' : 'refused',
        actual: r.actual ? 'allowed' : 'refused',
      }));
      io.out(
        `${JSON.stringify({ ok: wrong.length === 0, mismatches: wrong.length, probes: json }, null, 2)}\n`,
      );
    } else {
      io.out(`${formatMatrix(results, useColor(io))}\n`);
    }
    return wrong.length === 0 ? 0 : 1;
  },
};
