/**
 * Local caller identity for `serve`: a JSON file mapping bearer tokens to IAM principal ARNs,
 *   {"dev-token-1": "arn:aws:sts::123456789012:assumed-role/k8s-node/i-0abc12345678def01"}
 * A request whose `Authorization: Bearer TOKEN` is not in the file has no identity, and no
 * identity gets no certificate (issue-cert answers 403).
 */
import { parseCaller } from '../../shared/authz/principal.js';
import { WardenError } from '../../shared/errors.js';
import { readJsonObjectFile } from './json-object-file.js';

export type Identities = ReadonlyMap<string, string>;

export async function readIdentities(file: string | undefined): Promise<Identities> {
  if (file === undefined) return new Map();
  const value = await readJsonObjectFile(file, 'identities', '{"TOKEN": "PRINCIPAL ARN"}');
  const identities = new Map<string, string>();
  for (const [token, arn] of Object.entries(value)) {
    if (token.length < 8)
      throw new WardenError('invalid-input', `${file}: tokens must be at least 8 characters`);
    if (typeof arn !== 'string' || !parseCaller(arn)) {
      throw new WardenError('invalid-input', `${file}: the value for a token is not an IAM principal ARN`);
    }
    identities.set(token, arn);
  }
  return identities;
}

/** The principal a request's bearer token names, if any. */
export function callerFor(identities: Identities, authorization: string | undefined): string | undefined {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  return token === undefined ? undefined : identities.get(token);
}
