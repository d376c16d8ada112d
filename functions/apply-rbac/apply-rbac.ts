/**
 * apply-rbac: plan or apply a policy against etcd, check drift on a schedule, and create or delete
 * an EC2 instance's template users. It reaches etcd as root with a client certificate it mints in
 * memory from the CA for a few minutes (never written anywhere), through the core's etcd3
 * client. After an apply that converged, the policy becomes a new version of the
 * policy secret, which is what issue-cert authorizes against.
 *
 * Results are JSON for the caller (the Action reads them): {command, planned, applied?, failure?,
 * remaining?, stored?}; a refusal is {error: {code, message, diagnostics?}}, never a stack.
 */
import type { CaStore } from '../../shared/castore/index.js';
import { isWardenError, WardenError } from '../../shared/errors.js';
import { APPLY_CONCURRENCY, etcdBackend } from '../../shared/etcd/backend.js';
import { withEtcd } from '../../shared/etcd/connect.js';
import { preloadEtcd3 } from '../../shared/etcd/etcd3-runtime.js';
import type { Logger } from '../../shared/log/index.js';
import { issueClientCertificate, loadCa, type PkiContext } from '../../shared/pki/index.js';
import { formatDiagnostic, hasErrors } from '../../shared/policy/diagnostics.js';
import { loadPolicy } from '../../shared/policy/load.js';
import { type Policy, ROOT } from '../../shared/policy/types.js';
import type { PolicyStore } from '../../shared/policystore/index.js';
import { applyPolicy } from '../../shared/rbac/apply.js';
import type { RbacBackend } from '../../shared/rbac/backend.js';
import type { Change } from '../../shared/rbac/change.js';
import { type ChangeJson, changeToJson, summaryLine } from '../../shared/rbac/format-plan.js';
import { planChanges } from '../../shared/rbac/plan.js';
import { taskOf } from './events.js';
import { instanceChanges, instanceUsers } from './instance-changes.js';

export interface ApplyRbacDeps {
  caStore: CaStore;
  policyStore: PolicyStore;
  endpoints: string[];
  pki: PkiContext;
  log: Logger;
  /** The drift schedule applies what it finds instead of only reporting it. */
  applyOnDrift?: boolean;
  callTimeoutMs?: number;
  /** How long to wait for another apply's lock. */
  lockWaitMs?: number;
}

export interface ApplyRbacResult {
  command?: 'plan' | 'apply';
  event?: string;
  planned?: ChangeJson[];
  applied?: ChangeJson[];
  failure?: { change: ChangeJson; code: string; message: string };
  remaining?: ChangeJson[];
  /** The policy secret's new version after an apply. */
  stored?: string;
  users?: string[];
  error?: { code: string; message: string; diagnostics?: string[] };
}

/** Long enough for one apply, short enough that a leaked certificate soon stops working. */
export const ROOT_CERTIFICATE_TTL_SECONDS = 10 * 60;
const POLICY_FILE = 'policy';

export function createApplyRbac(deps: ApplyRbacDeps): (event: unknown) => Promise<ApplyRbacResult> {
  const { caStore, policyStore, pki, log } = deps;

  async function withBackend<T>(fn: (backend: RbacBackend) => Promise<T>): Promise<T> {
    if (deps.endpoints.length === 0) throw new WardenError('internal', 'no etcd endpoints configured');
    preloadEtcd3();
    const ca = loadCa(await caStore.load(), pki);
    const root = await issueClientCertificate(ca, ROOT, pki, ROOT_CERTIFICATE_TTL_SECONDS);
    const connection = {
      endpoints: deps.endpoints,
      caPem: ca.certificatePem,
      certPem: root.certificatePem,
      keyPem: root.privateKeyPem,
      ...(deps.callTimeoutMs === undefined ? {} : { callTimeoutMs: deps.callTimeoutMs }),
    };
    return withEtcd(connection, (client) => fn(etcdBackend(client, ROOT, { waitMs: deps.lockWaitMs ?? 0 })));
  }

  function policyFrom(text: string): Policy {
    const { policy, diagnostics } = loadPolicy(text, POLICY_FILE);
    if (!policy || hasErrors(diagnostics)) {
      const error = new WardenError('invalid-policy', 'the policy does not validate; nothing was changed');
      throw Object.assign(error, { diagnostics: diagnostics.map(formatDiagnostic) });
    }
    return policy;
  }

  async function run(command: 'plan' | 'apply', text: string | undefined): Promise<ApplyRbacResult> {
    const stored = text === undefined ? await policyStore.load() : undefined;
    const policyText = text ?? (stored?.text as string);
    const policy = stored?.policy ?? policyFrom(policyText);
    if (command === 'plan') {
      const planned = await withBackend(async (backend) => planChanges(policy, await backend.readState()));
      log.info('planned', { summary: summaryLine(planned), changes: planned.length });
      return { command, planned: planned.map(changeToJson) };
    }
    const report = await withBackend((backend) =>
      applyPolicy(policy, backend, { identity: ROOT, concurrency: APPLY_CONCURRENCY }),
    );
    const result: ApplyRbacResult = {
      command,
      planned: report.planned.map(changeToJson),
      applied: report.applied.map(changeToJson),
      remaining: report.remaining.map(changeToJson),
    };
    if (report.failure) {
      const { change, error } = report.failure;
      result.failure = { change: changeToJson(change), code: error.code, message: error.message };
    }
    log.info('applied', {
      planned: report.planned.length,
      applied: report.applied.length,
      remaining: report.remaining.length,
      failure: result.failure,
    });
    // Only a policy etcd now matches becomes the one issue-cert authorizes against.
    if (!report.failure && report.remaining.length === 0) {
      const version = await policyStore.save(policyText);
      if (version !== undefined) result.stored = version;
    }
    return result;
  }

  async function instance(instanceId: string, state: 'running' | 'terminated'): Promise<ApplyRbacResult> {
    const { policy } = await policyStore.load();
    const users = instanceUsers(policy, instanceId).map((u) => u.user);
    const applied: Change[] = await withBackend(async (backend) => {
      const lock = await backend.lock();
      try {
        const changes = instanceChanges(policy, await backend.readState(), instanceId, state);
        for (const change of changes) await backend.applyChange(change);
        return changes;
      } finally {
        await lock.release();
      }
    });
    log.info(`instance-${state}`, { instanceId, users, applied: applied.length });
    return { event: `instance-${state}`, users, applied: applied.map(changeToJson) };
  }

  return async (event) => {
    try {
      const task = taskOf(event);
      switch (task.kind) {
        case 'command':
          return await run(task.command, task.policyText);
        case 'drift-check': {
          const result = await run(deps.applyOnDrift ? 'apply' : 'plan', undefined);
          if ((result.planned?.length ?? 0) > 0) log.warn('drift', { changes: result.planned?.length });
          return { ...result, event: 'drift-check' };
        }
        case 'instance':
          return await instance(task.instanceId, task.state);
        case 'ignored':
          log.info('ignored', { reason: task.reason });
          return { event: 'ignored', users: [] };
      }
    } catch (error) {
      return failedResult(error, log);
    }
  };
}

/** Logs a failure (the logger keeps only an error's name and message) and answers it as {error}. */
export function failedResult(error: unknown, log: Logger): ApplyRbacResult {
  const known = isWardenError(error);
  log.error('failed', { error });
  const diagnostics = (error as { diagnostics?: string[] }).diagnostics;
  return {
    error: {
      code: known ? error.code : 'internal',
      message: known ? error.message : 'internal error',
      ...(diagnostics ? { diagnostics } : {}),
    },
  };
}
