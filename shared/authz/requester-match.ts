/**
 * Does a caller match one requester pattern from the policy? Patterns use `*` (any run of
 * characters) and `?` (one character); in templates `{instanceId}` stands for an EC2 instance id
 * and the match reports which one it bound.
 *
 * An assumed-role session (arn:aws:sts::ACCT:assumed-role/ROLE/SESSION) also matches a pattern
 * for its role (arn:aws:iam::ACCT:role/ROLE). The session ARN does not carry the role's path, and
 * role names are unique in an account whatever their path, so a role pattern with a path matches
 * by account and name; but when such a pattern has a wildcard in the name, the path is what
 * narrows it and cannot be checked, so it matches no session (default deny).
 */
import { INSTANCE_ID } from '../policy/requesters.js';
import type { Caller } from './principal.js';

export interface RequesterMatch {
  /** The instance id `{instanceId}` bound, when the pattern has one. */
  instanceId?: string;
}

// EC2 instance ids: "i-" and 8 or 17 lowercase hex digits (as shared/pki/name-profile.ts).
const INSTANCE_ID_CAPTURE = '(i-(?:[0-9a-f]{8}|[0-9a-f]{17}))';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The pattern as an anchored regular expression; `{instanceId}` becomes capture group 1. */
function compile(pattern: string): RegExp {
  const source = pattern
    .split(INSTANCE_ID)
    .map((part) =>
      part
        .split('')
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegExp(c)))
        .join(''),
    )
    .join(INSTANCE_ID_CAPTURE);
  return new RegExp(`^${source}$`);
}

const ROLE_PATTERN = /^(arn:[^:]+:iam::[^:]+:role\/)(.+)$/;

/** The role ARN an assumed-role caller stands for, in the form the pattern is written (its path). */
function roleFormFor(pattern: string, caller: Caller): string | undefined {
  if (caller.kind !== 'assumed-role') return undefined;
  const m = ROLE_PATTERN.exec(pattern);
  if (!m) return undefined;
  const pathAndName = m[2] as string;
  const slash = pathAndName.lastIndexOf('/');
  if (slash < 0) return `arn:${caller.partition}:iam::${caller.account}:role/${caller.name}`;
  const path = pathAndName.slice(0, slash + 1);
  const name = pathAndName.slice(slash + 1);
  if (/[*?]/.test(pathAndName) || name.includes(INSTANCE_ID)) return undefined;
  return `arn:${caller.partition}:iam::${caller.account}:role/${path}${caller.name}`;
}

export function matchRequester(pattern: string, caller: Caller): RequesterMatch | undefined {
  const regex = compile(pattern);
  for (const candidate of [caller.arn, roleFormFor(pattern, caller)]) {
    if (candidate === undefined) continue;
    const m = regex.exec(candidate);
    if (!m) continue;
    // Every {instanceId} in one pattern must bind the same id.
    const ids = new Set(m.slice(1).filter((v): v is string => v !== undefined));
    if (ids.size > 1) continue;
    const [instanceId] = ids;
    return instanceId === undefined ? {} : { instanceId };
  }
  return undefined;
}
