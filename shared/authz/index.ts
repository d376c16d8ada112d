/**
 * Authorization of certificate requests, pure: `authorizeIssue(policy, callerArn, name)` returns
 * the grant or throws WardenError('not-found' | 'forbidden'). See requester-match.ts for how
 * patterns, assumed-role sessions and `{instanceId}` match.
 */
export { authorizeIssue, type IssueGrant } from './authorize-issue.js';
export { type Caller, type CallerKind, parseCaller } from './principal.js';
export { matchRequester, type RequesterMatch } from './requester-match.js';
