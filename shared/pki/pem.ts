// PEM armor (RFC 7468): base64 in 64-character lines between BEGIN/END labels.
import { WardenError } from '../errors.js';

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < b64.length; at += 64) lines.push(b64.slice(at, at + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The DER inside the first PEM block whose label is one of `labels`; `what` names it in errors. */
export function fromPem(text: string, labels: readonly string[], what: string): Uint8Array {
  const match = BLOCK.exec(text);
  if (!match || !labels.includes(match[1] as string)) {
    throw new WardenError('invalid-input', `${what} is not PEM (expected -----BEGIN ${labels[0]}-----)`);
  }
  const body = (match[2] as string).replace(/\s+/g, '');
  if (!BASE64.test(body) || body.length % 4 !== 0 || body.length === 0) {
    throw new WardenError('invalid-input', `${what} has a damaged PEM body (not base64)`);
  }
  return new Uint8Array(Buffer.from(body, 'base64'));
}

export const looksLikePem = (bytes: Uint8Array): boolean =>
  Buffer.from(bytes.subarray(0, 64)).toString('latin1').trimStart().startsWith('-----BEGIN ');
