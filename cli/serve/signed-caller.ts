/**
 * Who signed a request, as AWS decides it: `serve` recomputes the request's Signature Version 4
 * with the SDK's own signer (service `lambda`) from the secret of the access key it names, and
 * accepts it only when the signatures match and the request is at most 5 minutes off the clock.
 * The credentials file maps access key ids to their secret and the principal they stand for:
 *   {"AKIDEXAMPLE": {"secretAccessKey": "…", "principal": "arn:aws:iam::123456789012:role/ci",
 *                    "invoke": ["apply-rbac"]}}
 * `invoke` lists the functions the principal may call through the Invoke API
 * (lambda:InvokeFunction); without it, none.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { parseCaller } from '../../shared/authz/principal.js';
import { NodeSha256 } from '../../shared/aws/sha256.js';
import { WardenError } from '../../shared/errors.js';
import { readJsonObjectFile } from './json-object-file.js';

export interface Credential {
  secretAccessKey: string;
  principal: string;
  invoke: readonly string[];
}

export type Credentials = ReadonlyMap<string, Credential>;

export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

const invalidFile = (file: string, problem: string) =>
  new WardenError('invalid-input', `${file}: ${problem}`);

export async function readCredentials(file: string | undefined): Promise<Credentials> {
  if (file === undefined) return new Map();
  const value = await readJsonObjectFile(
    file,
    'credentials',
    '{"ACCESS_KEY_ID": {"secretAccessKey", "principal", "invoke"?}}',
  );
  const credentials = new Map<string, Credential>();
  for (const [accessKeyId, entry] of Object.entries(value)) {
    if (!/^[A-Z0-9]{16,128}$/.test(accessKeyId))
      throw invalidFile(file, 'access key ids are 16-128 upper-case letters and digits');
    const { secretAccessKey, principal, invoke = [] } = (entry ?? {}) as Record<string, unknown>;
    if (typeof secretAccessKey !== 'string' || secretAccessKey.length < 16)
      throw invalidFile(file, 'each secretAccessKey must be a string of at least 16 characters');
    if (typeof principal !== 'string' || !parseCaller(principal))
      throw invalidFile(file, 'each principal must be an IAM principal ARN');
    // issue-cert is reached through its function URL only, so apply-rbac is the one to list.
    if (!Array.isArray(invoke) || !invoke.every((f) => f === 'apply-rbac'))
      throw invalidFile(file, 'invoke lists the functions the principal may invoke: only apply-rbac');
    credentials.set(accessKeyId, { secretAccessKey, principal, invoke });
  }
  return credentials;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export interface SignedRequest {
  method: string;
  /** Path and query as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The credential that signed the request, or a reason it is not validly signed. */
export async function signedCaller(
  request: SignedRequest,
  credentials: Credentials,
  now: Date,
): Promise<Credential | { refused: string }> {
  const header = request.headers.authorization;
  const m = typeof header === 'string' ? AUTHORIZATION.exec(header) : null;
  if (!m) return { refused: 'the request is not signed with AWS Signature Version 4' };
  const [, accessKeyId, day, region, service, signedHeaderList, signature] = m as unknown as string[];
  const credential = credentials.get(accessKeyId as string);
  if (!credential) return { refused: 'the access key id is not known here' };
  if (service !== 'lambda') return { refused: `the request is signed for service ${service}, not lambda` };
  const stamp = request.headers['x-amz-date'];
  const signedAt =
    typeof stamp === 'string' && /^\d{8}T\d{6}Z$/.test(stamp)
      ? new Date(
          `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`,
        )
      : undefined;
  if (!signedAt || Number.isNaN(signedAt.getTime()) || stamp?.slice(0, 8) !== day)
    return { refused: 'the request has no valid X-Amz-Date matching its credential scope' };
  if (Math.abs(now.getTime() - signedAt.getTime()) > MAX_CLOCK_SKEW_MS)
    return { refused: 'the signature is more than 5 minutes away from the server clock' };
  const signedHeaders = (signedHeaderList as string).split(';');
  if (!signedHeaders.includes('host')) return { refused: 'the signature does not cover the host header' };
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return { refused: `the signed header ${name} is missing` };
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  // The signer takes a payload hash header as given; the body must be what it hashes.
  const payloadHash = headers['x-amz-content-sha256'];
  if (payloadHash !== undefined && payloadHash !== createHash('sha256').update(request.body).digest('hex'))
    return { refused: 'the body does not match its signed payload hash' };
  const url = new URL(request.url, 'http://placeholder');
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: accessKeyId as string, secretAccessKey: credential.secretAccessKey },
    region: region as string,
    service: 'lambda',
    sha256: NodeSha256,
    // The client's signer adds the payload hash header only when it signs it.
    applyChecksum: signedHeaders.includes('x-amz-content-sha256'),
  });
  const expected = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: headers.host as string,
      path: url.pathname,
      query,
      headers,
      body: request.body,
    },
    { signingDate: signedAt, signableHeaders: new Set(signedHeaders) },
  );
  const recomputed = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1] ?? '';
  const matches =
    recomputed.length === 64 && timingSafeEqual(Buffer.from(recomputed), Buffer.from(signature as string));
  return matches ? credential : { refused: 'the signature does not match the request' };
}
