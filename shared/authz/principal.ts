/**
 * Callers as IAM reports them: the principal ARN in a Lambda function URL or API Gateway request
 * context. Only well-formed ARNs are callers at all, so a caller can never smuggle a wildcard or
 * a line break into matching: its characters are always literal.
 */

export type CallerKind = 'user' | 'role' | 'assumed-role' | 'root';

export interface Caller {
  arn: string;
  partition: string;
  account: string;
  kind: CallerKind;
  /** The role's name for `role` and `assumed-role` callers, the user's path and name for `user`. */
  name?: string;
  /** The role session name of an `assumed-role` caller (an EC2 instance's is its instance id). */
  session?: string;
}

// IAM names: letters, digits and +=,.@_- ; paths add '/'. Session names use the same characters.
const IAM_NAME = '[\\w+=,.@-]{1,128}';
const CALLER = new RegExp(
  `^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):(?:` +
    `iam::(\\d{12}):(root)` +
    `|iam::(\\d{12}):(user|role)/((?:${IAM_NAME}/)*${IAM_NAME})` +
    `|sts::(\\d{12}):(assumed-role)/(${IAM_NAME})/(${IAM_NAME}))$`,
);

/** The caller an ARN names, or undefined when it is not a principal ARN. */
export function parseCaller(arn: string): Caller | undefined {
  const m = CALLER.exec(arn);
  if (!m) return undefined;
  const partition = m[1] as string;
  if (m[3]) return { arn, partition, account: m[2] as string, kind: 'root' };
  if (m[5]) {
    const path = m[6] as string;
    const kind = m[5] as 'user' | 'role';
    // A role ARN's path is not part of the role's name; a user's is kept whole.
    return {
      arn,
      partition,
      account: m[4] as string,
      kind,
      name: kind === 'role' ? path.split('/').pop() : path,
    };
  }
  return { arn, partition, account: m[7] as string, kind: 'assumed-role', name: m[9], session: m[10] };
}
