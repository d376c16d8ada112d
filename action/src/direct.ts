// plan and apply straight against etcd with the client certificate from the inputs, through the
// same core calls as the CLI and apply-rbac (planPolicy, applyPolicy and its JSON report), over the
// core's etcd3 client (bundled, with etcd's service definitions parsed at build time).
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { WardenError } from '../../shared/errors.js';
import { APPLY_CONCURRENCY, withClusterAccess } from '../../shared/etcd/backend.js';
import type { EtcdConnection } from '../../shared/etcd/connect.js';
import { preloadEtcd3 } from '../../shared/etcd/etcd3-runtime.js';
import { certificateInfo } from '../../shared/pki/certificate-info.js';
import type { Policy } from '../../shared/policy/types.js';
import { applyPolicy } from '../../shared/rbac/apply.js';
import { applyReportToJson, changeToJson } from '../../shared/rbac/format-plan.js';
import { planPolicy } from '../../shared/rbac/plan-policy.js';
import { type DirectTarget, maskPem } from './inputs.js';
import type { RbacOutcome } from './outcome.js';

/** An input holding PEM text is used as is; anything else is a path relative to the workspace. */
async function pemInput(value: string, input: string, workspace: string): Promise<string> {
  if (value.trimStart().startsWith('-----BEGIN ')) return value;
  try {
    return await readFile(resolve(workspace, value), 'utf8');
  } catch (error) {
    throw new WardenError(
      'invalid-input',
      `input "${input}" is neither PEM text nor a readable file (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}

async function connectionOf(target: DirectTarget, workspace: string) {
  const [caPem, certPem, keyPem] = await Promise.all([
    pemInput(target.ca, 'ca', workspace),
    pemInput(target.cert, 'cert', workspace),
    pemInput(target.key, 'key', workspace),
  ]);
  maskPem(keyPem);
  const connection: EtcdConnection = { endpoints: target.endpoints, caPem, certPem, keyPem };
  return { connection, identity: certificateInfo(certPem, 'input "cert"').commonName };
}

export async function runDirect(
  command: 'plan' | 'apply',
  policy: Policy,
  target: DirectTarget,
  workspace: string,
): Promise<RbacOutcome> {
  preloadEtcd3();
  const { connection, identity } = await connectionOf(target, workspace);
  return withClusterAccess(
    { ...connection, identity },
    { waitMs: target.lockWaitMs },
    async ({ backend, versions }) => {
      if (command === 'plan') {
        const { changes, warnings } = await planPolicy(policy, backend, identity, versions);
        return { command, via: identity, planned: changes.map(changeToJson), warnings };
      }
      const report = await applyPolicy(policy, backend, {
        identity,
        concurrency: APPLY_CONCURRENCY,
        versions,
      });
      return { command, via: identity, ...applyReportToJson(report) };
    },
  );
}
