/**
 * Structured JSON logs: one object per line, for CloudWatch and for `serve`. Whatever a caller
 * passes, a private key cannot come out: values of fields named like secrets are replaced, and any
 * PEM PRIVATE KEY block inside any string is cut out, at every depth.
 *
 * `withFields(fields, fn)` adds fields to every line written while `fn` runs, including in what it
 * awaits (AsyncLocalStorage), so that a function's lines all carry their invocation's request id
 * however deep they are written, and concurrent requests (`serve`) keep theirs apart.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type LogLevel = 'info' | 'warn' | 'error' | 'audit';

export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
  /** The audit line of one issued certificate. */
  certificateIssued(fields: CertificateAudit): void;
  /** Runs `fn` with `fields` on every line it writes (nested calls add to the outer fields). */
  withFields<T>(fields: Record<string, unknown>, fn: () => T): T;
}

export interface CertificateAudit {
  serial: string;
  name: string;
  caller: string;
  notAfter: Date;
  profile: string;
}

export const REDACTED = '[redacted]';

// Names that hold secrets: privateKey, private_key, caKeyPem, secret, password, token, credentials...
const SECRET_FIELD = /private|secret|passw|token|credential|key(?:[_-]?pem)?$/i;
const PRIVATE_KEY_BLOCK =
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)/g;
const MAX_DEPTH = 8;

function redact(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.replace(PRIVATE_KEY_BLOCK, REDACTED);
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value)) {
    out[name] = SECRET_FIELD.test(name) && v !== undefined ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

/** The line a log call writes, redacted; exported for tests and for `serve`. */
export function logLine(level: LogLevel, event: string, fields: Record<string, unknown>, time: Date): string {
  return JSON.stringify({ time: time.toISOString(), level, event, ...(redact(fields, 0) as object) });
}

export function createLogger(
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  now: () => Date = () => new Date(),
): Logger {
  const context = new AsyncLocalStorage<Record<string, unknown>>();
  const log = (level: LogLevel, event: string, fields: Record<string, unknown> = {}) =>
    write(logLine(level, event, { ...context.getStore(), ...fields }, now()));
  return {
    info: (event, fields) => log('info', event, fields),
    warn: (event, fields) => log('warn', event, fields),
    error: (event, fields) => log('error', event, fields),
    certificateIssued: (audit) => log('audit', 'certificate-issued', { ...audit }),
    withFields: (fields, fn) => context.run({ ...context.getStore(), ...fields }, fn),
  };
}
