// PEM armor (RFC 7468): base64 in 64-character lines between BEGIN/END labels. One reader for
// every front: text around the blocks (a BOM, comments, other blocks) is ignored the same way
// whether the PEM came as a file's bytes or as a JSON string.
import { WardenError } from '../errors.js';

export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64');
  const lines: string[] = [];
  for (let at = 0; at < b64.length; at += 64) lines.push(b64.slice(at, at + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

const BEGIN = /-----BEGIN ([A-Z0-9 ]{1,64})-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DER_SEQUENCE = 0x30;

/** The DER of the first block labelled one of `labels`, or the first other label seen. */
function firstBlock(text: string, labels: readonly string[], what: string): Uint8Array | { other?: string } {
  let other: string | undefined;
  // Only a wanted label's END is searched for, so the scan stays linear in the text's length.
  for (const begin of text.matchAll(BEGIN)) {
    const label = begin[1] as string;
    if (!labels.includes(label)) {
      other ??= label;
      continue;
    }
    const bodyStart = begin.index + begin[0].length;
    const end = text.indexOf(`-----END ${label}-----`, bodyStart);
    if (end < 0) throw new WardenError('invalid-input', `${what} has no -----END ${label}----- line`);
    const base64 = text.slice(bodyStart, end).replace(/\s+/g, '');
    if (!BASE64.test(base64) || base64.length % 4 !== 0 || base64.length === 0) {
      throw new WardenError('invalid-input', `${what} has a damaged PEM body (not base64)`);
    }
    return new Uint8Array(Buffer.from(base64, 'base64'));
  }
  return other === undefined ? {} : { other };
}

function notFound(what: string, verdict: string, labels: readonly string[], other: string | undefined) {
  const held =
    other === undefined ? '' : `; it holds a ${other.includes('PRIVATE') ? 'private key' : other} block`;
  return new WardenError(
    'invalid-input',
    `${what} ${verdict} (expected -----BEGIN ${labels[0]}-----)${held}`,
  );
}

/** The DER inside the first PEM block whose label is one of `labels`; `what` names it in errors. */
export function fromPem(text: string, labels: readonly string[], what: string): Uint8Array {
  const found = firstBlock(text, labels, what);
  if (found instanceof Uint8Array) return found;
  throw notFound(what, 'is not PEM', labels, found.other);
}

/**
 * DER as it is, or the DER of the first matching PEM block. Bytes are DER when they start as a
 * DER SEQUENCE does (every structure the PKI reads is one); anything else is read as PEM text.
 */
export function derOrPem(input: string | Uint8Array, labels: readonly string[], what: string): Uint8Array {
  if (typeof input === 'string') return fromPem(input, labels, what);
  if (input[0] === DER_SEQUENCE) return input;
  const found = firstBlock(Buffer.from(input).toString('latin1'), labels, what);
  if (found instanceof Uint8Array) return found;
  const verdict = found.other === undefined ? 'is neither DER (a SEQUENCE) nor PEM' : 'is not PEM';
  throw notFound(what, verdict, labels, found.other);
}
