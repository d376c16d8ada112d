import { preloadEtcd3 } from '../../shared/etcd/etcd3-runtime.js';
import { readServerVersions } from '../../shared/etcd/server-versions.js';
import { userSessions } from '../../shared/etcd/user-session.js';
import { readV2State } from '../../shared/etcd/v2-auth.js';
import { v2Http } from '../../shared/etcd/v2-http.js';
import { loadCa, nodePkiContext } from '../../shared/pki/index.js';
import { describeSpan, fromEtcdRange } from '../../shared/policy/keyspan.js';
import { formatChange } from '../../shared/rbac/format-plan.js';
import { planProbes } from '../../shared/rbac/probes.js';
import { versionWarnings } from '../../shared/rbac/server-versions.js';
import { v2HasContent } from '../../shared/rbac/v2-live-state.js';
import { planV2Changes } from '../../shared/rbac/v2-plan.js';
import { formatMatrix, mismatches, runProbes } from '../../shared/rbac/verify.js';
import { parseCommand } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { resolveConnection, useColor } from '../connection.js';
import { loadPolicyFile } from '../policy-file.js';
import { printWarnings } from '../warnings.js';
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
    // v2 is judged by its store: what a plan would still change there is a mismatch.
    // Without v2 in the policy, the v2 store is read for the upgrade warning only: a connection
    // that may not read it (verify needs no root) loses that warning, not the verdict.
    const v2Read = readV2State(v2Http(connection));
    const [v2, versions] = await Promise.all([
      policy.apis.includes('v2') ? v2Read : v2Read.catch(() => undefined),
      readServerVersions(connection),
    ]);
    const v2Drift = policy.apis.includes('v2') ? planV2Changes(policy, v2) : [];
    const warnings = versionWarnings(versions, v2HasContent(v2));
    printWarnings(io, warnings);
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
        `${JSON.stringify(
          {
            ok: wrong.length === 0 && v2Drift.length === 0,
            mismatches: wrong.length + v2Drift.length,
            probes: json,
            v2Drift: v2Drift.map((c) => formatChange(c, false)),
            warnings,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      io.out(`${formatMatrix(results, useColor(io))}\n`);
      if (v2Drift.length > 0) {
        io.out(
          `v2 store differs from the policy (${v2Drift.length} change${v2Drift.length === 1 ? '' : 's'} to make):\n${v2Drift.map((c) => formatChange(c, false)).join('\n')}\n`,
        );
      }
    }
    return wrong.length === 0 && v2Drift.length === 0 ? 0 : 1;
  },
};
