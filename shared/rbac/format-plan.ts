// Plans for people (`+ role calico-cni`, `~`, `-`, a summary line) and plans and apply reports for
// machines (JSON).
import type { ErrorCode } from '../errors.js';
import { describeSpan, fromEtcdRange } from '../policy/keyspan.js';
import type { KeySpan } from '../policy/types.js';
import type { ApplyReport } from './apply.js';
import { type Change, type ChangeKind, changeKind } from './change.js';

const SIGN: Record<ChangeKind, string> = { add: '+', change: '~', remove: '-' };
const COLOR: Record<ChangeKind, string> = { add: '\x1b[32m', change: '\x1b[33m', remove: '\x1b[31m' };
const RESET = '\x1b[0m';

export function describeChange(change: Change): string {
  switch (change.op) {
    case 'add-role':
      return `role ${change.role}`;
    case 'grant-permission': {
      const span = describeSpan(fromEtcdRange(change));
      return change.previous
        ? `permission ${change.role}: ${span} ${change.previous} -> ${change.access}`
        : `permission ${change.role}: ${span} ${change.access}`;
    }
    case 'revoke-permission':
      return `permission ${change.role}: ${describeSpan(fromEtcdRange(change))} ${change.access}`;
    case 'add-user':
      return `user ${change.user}`;
    case 'grant-role':
    case 'revoke-role':
      return `role ${change.role} of user ${change.user}`;
    case 'delete-user':
      return `user ${change.user}`;
    case 'delete-role':
      return `role ${change.role}`;
    case 'enable-auth':
      return 'auth enable';
    case 'disable-auth':
      return 'auth disable';
    case 'v2-add-role':
    case 'v2-delete-role':
      return `v2 role ${change.role}`;
    case 'v2-grant-path':
    case 'v2-revoke-path':
      return `v2 permission ${change.role}: path ${change.path} ${change.access}`;
    case 'v2-add-user':
    case 'v2-delete-user':
      return `v2 user ${change.user}`;
    case 'v2-grant-role':
    case 'v2-revoke-role':
      return `v2 role ${change.role} of user ${change.user}`;
    case 'v2-enable-auth':
      return 'v2 auth enable';
    case 'v2-disable-auth':
      return 'v2 auth disable';
  }
}

export function formatChange(change: Change, color: boolean): string {
  const kind = changeKind(change);
  const line = `${SIGN[kind]} ${describeChange(change)}`;
  return color ? `${COLOR[kind]}${line}${RESET}` : line;
}

export function summarizeChanges(changes: readonly Change[]): Record<ChangeKind, number> {
  const counts: Record<ChangeKind, number> = { add: 0, change: 0, remove: 0 };
  for (const c of changes) counts[changeKind(c)]++;
  return counts;
}

export function summaryLine(changes: readonly Change[]): string {
  if (changes.length === 0) return 'No changes: etcd matches the policy.';
  const { add, change, remove } = summarizeChanges(changes);
  return `Plan: ${add} to add, ${change} to change, ${remove} to remove.`;
}

/** The plan as text: one line per change, then the summary line. */
export function formatPlan(changes: readonly Change[], color: boolean): string {
  return [...changes.map((c) => formatChange(c, color)), summaryLine(changes)].join('\n');
}

export interface ChangeJson {
  op: Change['op'];
  kind: ChangeKind;
  role?: string;
  user?: string;
  span?: KeySpan;
  access?: string;
  previous?: string;
  /** A v2 grant's path glob. */
  path?: string;
}

export function changeToJson(change: Change): ChangeJson {
  const json: ChangeJson = { op: change.op, kind: changeKind(change) };
  if ('role' in change) json.role = change.role;
  if ('user' in change) json.user = change.user;
  if ('key' in change) {
    json.span = fromEtcdRange(change);
    json.access = change.access;
  }
  if ('path' in change) {
    json.path = change.path;
    json.access = change.access;
  }
  if (change.op === 'grant-permission' && change.previous) json.previous = change.previous;
  return json;
}

/** An apply's report for machines: the CLI's `apply --json`, the Action's outcome, apply-rbac's answer. */
export interface ApplyReportJson {
  planned: ChangeJson[];
  applied: ChangeJson[];
  /** What still differs: the changes not sent after a failure, else what a fresh plan finds. */
  remaining: ChangeJson[];
  /** The change etcd refused (or the lost lock stopped); the ones after it were not sent. */
  failure?: { change: ChangeJson; code: ErrorCode; message: string };
  /** etcd matches what was planned for: nothing failed and nothing remains. */
  converged: boolean;
  /** Known RBAC flaws of the servers' versions and upgrade blockers, for people to act on. */
  warnings: string[];
}

export function applyReportToJson(report: ApplyReport): ApplyReportJson {
  return {
    planned: report.planned.map(changeToJson),
    applied: report.applied.map(changeToJson),
    remaining: report.remaining.map(changeToJson),
    ...(report.failure
      ? {
          failure: {
            change: changeToJson(report.failure.change),
            code: report.failure.error.code,
            message: report.failure.error.message,
          },
        }
      : {}),
    converged: !report.failure && report.remaining.length === 0,
    warnings: report.warnings,
  };
}
