/**
 * Who may get which certificate over HTTP. Default deny: a name gets a certificate only when the
 * policy names it and one of its requester patterns matches the caller. For a template user the
 * pattern must bind `{instanceId}` to exactly the instance in the requested name, so an instance
 * can get its own user and no other.
 */
import { WardenError } from '../errors.js';
import { templateFor } from '../pki/name-profile.js';
import { INSTANCE_ID } from '../policy/requesters.js';
import type { Policy } from '../policy/types.js';
import { parseCaller } from './principal.js';
import { matchRequester } from './requester-match.js';

export interface IssueGrant {
  name: string;
  caller: string;
  /** The requester pattern that allowed it. */
  requester: string;
}

const denied = (caller: string, name: string) =>
  new WardenError('forbidden', `${caller} may not obtain a certificate for ${JSON.stringify(name)}`);

/** The grant, or WardenError not-found (no such name) / forbidden (not this caller). */
export function authorizeIssue(policy: Policy, callerArn: string | undefined, name: string): IssueGrant {
  const user = Object.hasOwn(policy.users, name) ? policy.users[name] : undefined;
  const template = user ? undefined : templateFor(policy, name);
  const member = Object.hasOwn(policy.members, name);
  if (!user && !template && !member) {
    throw new WardenError('not-found', `the policy has no user ${JSON.stringify(name)}`);
  }
  const caller = callerArn === undefined ? undefined : parseCaller(callerArn);
  if (!caller) throw new WardenError('forbidden', 'no caller identity: a certificate needs an IAM principal');
  if (member) {
    // Members have no requesters: their certificates come from `etcd-warden cert issue`.
    throw new WardenError(
      'forbidden',
      `${JSON.stringify(name)} is a member; members are not issued over HTTP`,
    );
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
