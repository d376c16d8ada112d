// The body of POST /certificates, checked field by field: anything unexpected is refused.
import { WardenError } from '../../shared/errors.js';
import { quote } from '../../shared/policy/diagnostics.js';
import { DURATION_RULE, parseDuration } from '../../shared/policy/duration.js';

export interface CertificateRequest {
  user: string;
  csr?: string;
  ttlSeconds?: number;
}

/** Larger bodies answer 413 before they are parsed. */
export const MAX_BODY_BYTES = 64 * 1024;

const FIELDS = new Set(['user', 'csr', 'ttl', 'generateKey']);

const invalid = (message: string) => new WardenError('invalid-input', message);

export function parseCertificateRequest(body: Buffer): CertificateRequest {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalid('the body is not JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('the body must be a JSON object {"user", "csr" | "generateKey", "ttl"?}');
  }
  const fields = value as Record<string, unknown>;
  const extra = Object.keys(fields).filter((k) => !FIELDS.has(k));
  if (extra.length > 0) throw invalid(`unknown field ${quote(extra[0])}`);
  const { user, csr, ttl, generateKey } = fields;
  if (typeof user !== 'string' || user === '') throw invalid('"user" is required: the etcd user name');
  if (csr !== undefined && typeof csr !== 'string') throw invalid('"csr" must be a PEM string');
  if (generateKey !== undefined && typeof generateKey !== 'boolean')
    throw invalid('"generateKey" must be true or false');
  if ((csr === undefined) === (generateKey !== true)) {
    throw invalid('give either "csr" (PEM) or "generateKey": true');
  }
  let ttlSeconds: number | undefined;
  if (ttl !== undefined) {
    ttlSeconds = typeof ttl === 'string' ? parseDuration(ttl) : undefined;
    if (ttlSeconds === undefined) throw invalid(`"ttl" must be ${DURATION_RULE}`);
  }
  return { user, ...(csr === undefined ? {} : { csr }), ...(ttlSeconds === undefined ? {} : { ttlSeconds }) };
}
