/**
 * apply-rbac: plan or apply a policy against etcd, check drift on a schedule, and create or delete
 * an EC2 instance's template users. It reaches etcd as root with a client certificate it mints in
 * memory from the CA for a few minutes (never written anywhere), through the core's etcd3
 * client. After an apply that converged, the policy becomes a new version of the
 * policy secret, which is what issue-cert authorizes against.
 *
 * Plan, apply and an instance event are each one core operation (planPolicy with its safety check,
 * applyPolicy, applyInstanceState: the same lock, safety and lost-lock checks as any apply).
 * Results are JSON for the caller (the Action reads them): {command, planned, warnings} for a plan,
 * the core's apply report (applyReportToJson, warnings included) plus `stored` for an apply; a
 * refusal is {error: {code, message, diagnostics?}}, never a stack.
 */
import type { Context } from 'aws-lambda';
import type { CaStore } from '../../shared/castore/index.js';
import { type ErrorCode, isWardenError, WardenError } from '../../shared/errors.js';
import { APPLY_CONCURRENCY, withClusterAccess } from '../../shared/etcd/backend.js';
import { preloadEtcd3 } from '../../shared/etcd/etcd3-runtime.js';
import type { ServerVersion } from '../../shared/etcd/server-versions.js';
import type { Logger } from '../../shared/log/index.js';
import { issueClientCertificate, loadCa, type PkiContext } from '../../shared/pki/index.js';
import { formatDiagnostic, hasErrors } from '../../shared/policy/diagnostics.js';
import { loadPolicy } from '../../shared/policy/load.js';
import { type Policy, ROOT } from '../../shared/policy/types.js';
import type { PolicyStore } from '../../shared/policystore/index.js';
import { applyInstanceState, applyPolicy } from '../../shared/rbac/apply.js';
import type { RbacBackend } from '../../shared/rbac/backend.js';
import {
  type ApplyReportJson,
  applyReportToJson,
  changeToJson,
  summaryLine,
} from '../../shared/rbac/format-plan.js';
import { type InstanceState, instanceUsers } from '../../shared/rbac/instance-changes.js';
import { planPolicy } from '../../shared/rbac/plan-policy.js';
import { invocationFields } from '../invocation.js';
import { type ApplyRbacEvent, taskOf } from './events.js';

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

/** What the caller (the Action, an operator) reads back; for an apply, the core's apply report. */
export interface ApplyRbacResult extends Partial<ApplyReportJson> {
  command?: 'plan' | 'apply';
  event?: string;
  /** The policy secret's new version after an apply. */
  stored?: string;
  users?: string[];
  error?: { code: ErrorCode; message: string; diagnostics?: string[] };
}

/** Long enough for one apply, short enough that a leaked certificate soon stops working. */
export const ROOT_CERTIFICATE_TTL_SECONDS = 10 * 60;
const POLICY_FILE = 'policy';

export function createApplyRbac(
  deps: ApplyRbacDeps,
): (event: ApplyRbacEvent, context: Context) => Promise<ApplyRbacResult> {
  const { caStore, policyStore, pki, log } = deps;

  async function withBackend<T>(
    fn: (backend: RbacBackend, versions: readonly ServerVersion[]) => Promise<T>,
  ): Promise<T> {
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
    return withClusterAccess({ ...connection, identity: ROOT }, { waitMs: deps.lockWaitMs ?? 0 }, (access) =>
      fn(access.backend, access.versions),
    );
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
      const { changes, warnings } = await withBackend((backend, versions) =>
        planPolicy(policy, backend, ROOT, versions),
      );
      log.info('planned', { summary: summaryLine(changes), changes: changes.length });
      return { command, planned: changes.map(changeToJson), warnings };
    }
    const report = await withBackend((backend, versions) =>
      applyPolicy(policy, backend, { identity: ROOT, concurrency: APPLY_CONCURRENCY, versions }),
    );
    const result: ApplyRbacResult = { command, ...applyReportToJson(report) };
    logReport('applied', result);
    // Only a policy etcd now matches becomes the one issue-cert authorizes against.
    if (result.converged) {
      const version = await policyStore.save({ policy, text: policyText });
      if (version !== undefined) result.stored = version;
    }
    return result;
  }

  async function instance(instanceId: string, state: InstanceState): Promise<ApplyRbacResult> {
    const { policy } = await policyStore.load();
    const users = instanceUsers(policy, instanceId).map((u) => u.user);
    const report = await withBackend((backend, versions) =>
      applyInstanceState(policy, backend, { instanceId, state }, { identity: ROOT, versions }),
    );
    const result: ApplyRbacResult = { event: `instance-${state}`, users, ...applyReportToJson(report) };
    logReport(`instance-${state}`, result, { instanceId, users });
    return result;
  }

  function logReport(event: string, result: ApplyRbacResult, fields: Record<string, unknown> = {}): void {
    const counts = {
      ...fields,
      planned: result.planned?.length,
      applied: result.applied?.length,
      remaining: result.remaining?.length,
    };
    if (result.failure) log.warn(event, { ...counts, failure: result.failure });
    else log.info(event, counts);
  }

  const answer = async (event: unknown): Promise<ApplyRbacResult> => {
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

  // Every line an invocation writes carries its request id (invocation.ts).
  return (event, context) => log.withFields(invocationFields(context), () => answer(event));
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
