/**
 * Who may get which certificate over HTTP. Default deny: a name gets a certificate only when the
 * policy names it and one of its requester patterns matches the caller. For a template user the
 * pattern must bind `{instanceId}` to exactly the instance in the requested name, so an instance
 * can get its own user and no other.
 */
import { WardenError } from '../errors.js';
import { templateFor } from '../pki/name-profile.js';
import { quote } from '../policy/diagnostics.js';
import { own } from '../policy/own.js';
import { INSTANCE_ID } from '../policy/requesters.js';
import type { Policy } from '../policy/types.js';
import { type Caller, parseCaller } from './principal.js';
import { matchRequester } from './requester-match.js';

export interface IssueGrant {
  name: string;
  caller: string;
  /** The requester pattern that allowed it. */
  requester: string;
}

const denied = (caller: string, name: string) =>
  new WardenError('forbidden', `${caller} may not obtain a certificate for ${quote(name)}`);

/** Does any requester pattern of the policy, for any name, match this caller? */
function isKnownRequester(policy: Policy, caller: Caller): boolean {
  const holders = [...Object.values(policy.users), ...Object.values(policy.templates)];
  return holders.some((h) => (h.certificate?.requesters ?? []).some((r) => matchRequester(r, caller)));
}

/**
 * The grant, or WardenError forbidden / not-found. Identity comes before existence: a caller with
 * no identity, or one that no requester of any name matches, gets the same 403 whatever it asks
 * for, so the policy's names cannot be enumerated from outside. Only a known requester learns that
 * a name does not exist.
 */
export function authorizeIssue(policy: Policy, callerArn: string | undefined, name: string): IssueGrant {
  const caller = callerArn === undefined ? undefined : parseCaller(callerArn);
  if (!caller) throw new WardenError('forbidden', 'no caller identity: a certificate needs an IAM principal');
  if (!isKnownRequester(policy, caller)) throw denied(caller.arn, name);
  const user = own(policy.users, name);
  const template = user ? undefined : templateFor(policy, name);
  const member = Object.hasOwn(policy.members, name);
  if (!user && !template && !member) {
    throw new WardenError('not-found', `the policy has no user ${quote(name)}`);
  }
  if (member) {
    // Members have no requesters: their certificates come from `etcd-warden cert issue`.
    throw new WardenError('forbidden', `${quote(name)} is a member; members are not issued over HTTP`);
  }
  const patterns = (user ?? template)?.certificate?.requesters ?? [];
  for (const requester of patterns) {
    const match = matchRequester(requester, caller);
    if (!match) continue;
    if (user) return { name, caller: caller.arn, requester };
    // A template pattern counts only when it binds the instance the name was made for.
    if (match.instanceId !== undefined && template?.user.replaceAll(INSTANCE_ID, match.instanceId) === name) {
      return { name, caller: caller.arn, requester };
    }
  }
  throw denied(caller.arn, name);
}
