// Requester patterns: IAM principal ARNs with `*` / `?` wildcards (and `{instanceId}` in templates)
// naming who may obtain a certificate over HTTP.

const PARTITION = '(?:aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b)';
const ACCOUNT = '(?:\\d{12}|\\*)';
const NAME = '[\\w+=,.@*?{}/-]+';
const REQUESTER_PATTERN = new RegExp(
  `^arn:${PARTITION}:(?:iam::${ACCOUNT}:(?:role|user)/${NAME}|iam::${ACCOUNT}:root|sts::${ACCOUNT}:assumed-role/${NAME})$`,
);

export const INSTANCE_ID = '{instanceId}';

/** Why a requester pattern is not acceptable, or undefined when it is. */
export function requesterPatternProblem(pattern: string, inTemplate: boolean): string | undefined {
  if (!REQUESTER_PATTERN.test(pattern)) {
    return 'is not an IAM principal ARN pattern (arn:aws:iam::ACCOUNT:role/NAME, …:user/NAME, or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION)';
  }
  const placeholders = pattern.match(/\{[^}]*\}/g) ?? [];
  if (placeholders.some((p) => p !== INSTANCE_ID) || /[{}]/.test(pattern.replaceAll(INSTANCE_ID, ''))) {
    return `may contain no placeholder other than ${INSTANCE_ID}`;
  }
  if (!inTemplate && placeholders.length > 0) return `uses ${INSTANCE_ID}, which only templates can bind`;
  if (/^arn:[^:]+:[^:]+::\*:/.test(pattern)) {
    return 'matches every principal of an account or of every account: name the role or user';
  }
  const named = namedSegment(pattern);
  if (named !== undefined && !LITERAL_START.test(named)) {
    return 'can match every role, user or session of the account: the name after role/, user/ (and a path) or assumed-role/ must start with a literal character, as in role/k8s-* or assumed-role/k8s-node/*';
  }
  return undefined;
}

// A name starts with a literal when its first character is no wildcard and no placeholder.
const LITERAL_START = /^[^*?{]/;

/**
 * The segment whose first character decides how much a pattern can match: the role's or user's
 * name (after any path) for `role/` and `user/`, the role for `assumed-role/ROLE/SESSION`.
 * A session may be a wildcard: the role already narrows it.
 */
function namedSegment(pattern: string): string | undefined {
  const resource = /:(role|user|assumed-role)\/(.*)$/.exec(pattern);
  if (!resource) return undefined;
  const segments = (resource[2] as string).split('/');
  return resource[1] === 'assumed-role' ? segments[0] : segments[segments.length - 1];
}
