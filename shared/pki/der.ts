// A minimal DER writer and reader: everything the PKI writes (certificates, CRLs, their
// extensions) and everything it reads (CSRs, the CA certificate, issued certificates). Doing this
// by hand keeps issuance near the cost of the signature itself, and keeps issue-cert's bundle
// small: pkijs, with its dependencies, is ~400 KB whatever part of it one imports.

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

/** Context-specific constructed tag `[n]` (EXPLICIT wrappers such as the version or extensions). */
export const explicit = (n: number): number => 0xa0 | n;
/** Context-specific primitive tag `[n]` (IMPLICIT, e.g. a key identifier inside AuthorityKeyIdentifier). */
export const implicit = (n: number): number => 0x80 | n;

function lengthBytes(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One tag-length-value element whose value is the concatenation of `content`. */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const value = content.length === 1 ? (content[0] as Uint8Array) : concat(content);
  return concat([Uint8Array.of(tag), lengthBytes(value.length), value]);
}

/** A non-negative INTEGER from big-endian magnitude bytes, minimally encoded. */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const trimmed = magnitude.subarray(start);
  const needsPad = trimmed.length === 0 || ((trimmed[0] as number) & 0x80) !== 0;
  return tlv(TAG.integer, needsPad ? concat([Uint8Array.of(0), trimmed]) : trimmed);
}

export const smallInteger = (n: number): Uint8Array => {
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return unsignedInteger(Uint8Array.from(bytes));
};

const encoder = new TextEncoder();
export const utf8String = (text: string): Uint8Array => tlv(TAG.utf8String, encoder.encode(text));
export const octetString = (bytes: Uint8Array): Uint8Array => tlv(TAG.octetString, bytes);
/** A BIT STRING holding whole bytes (no unused bits), as signatures and key bits are. */
export const bitString = (bytes: Uint8Array): Uint8Array => tlv(TAG.bitString, Uint8Array.of(0), bytes);

const two = (n: number): string => String(n).padStart(2, '0');

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, Zulu. */
export function time(date: Date): Uint8Array {
  const y = date.getUTCFullYear();
  const rest = `${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
  if (y >= 1950 && y < 2050) return tlv(TAG.utcTime, encoder.encode(`${two(y % 100)}${rest}`));
  return tlv(TAG.generalizedTime, encoder.encode(`${String(y).padStart(4, '0')}${rest}`));
}

export interface Element {
  tag: number;
  /** Offset of the tag byte. */
  offset: number;
  /** Offset of the value (after tag and length). */
  start: number;
  /** Offset just past the value. */
  end: number;
}

/** Reads the tag and length at `offset` without requiring the value to be present. */
export function readHeader(bytes: Uint8Array, offset = 0): Element {
  const tag = bytes[offset];
  const first = bytes[offset + 1];
  if (tag === undefined || first === undefined || (tag & 0x1f) === 0x1f) throw new Error('malformed DER');
  let start = offset + 2;
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new Error('malformed DER length');
    length = 0;
    for (let i = 0; i < count; i++) {
      const b = bytes[start + i];
      if (b === undefined) throw new Error('truncated DER');
      length = length * 256 + b;
    }
    start += count;
  }
  return { tag, offset, start, end: start + length };
}

/** Reads the element at `offset`; throws on anything that is not well-formed definite-length DER. */
export function readElement(bytes: Uint8Array, offset = 0): Element {
  const element = readHeader(bytes, offset);
  if (element.end > bytes.length) throw new Error('truncated DER');
  return element;
}

/** The elements directly inside a constructed element. */
export function children(bytes: Uint8Array, parent: Element): Element[] {
  const out: Element[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const child = readElement(bytes, at);
    if (child.end > parent.end) throw new Error('malformed DER nesting');
    out.push(child);
    at = child.end;
  }
  return out;
}

/** The children of `element`, which must carry `tag`: anything else is not the expected structure. */
export function childrenOf(bytes: Uint8Array, element: Element | undefined, tag: number): Element[] {
  if (element?.tag !== tag) throw new Error(`malformed DER: expected tag ${tag}`);
  return children(bytes, element);
}

/** The whole encoding (tag, length and value) of an element. */
export const encoding = (bytes: Uint8Array, element: Element): Uint8Array =>
  bytes.subarray(element.offset, element.end);

/** The value bytes of an element. */
export const value = (bytes: Uint8Array, element: Element): Uint8Array =>
  bytes.subarray(element.start, element.end);

/** A UTCTime (YYMMDDHHMMSSZ, 1950–2049) or GeneralizedTime (YYYYMMDDHHMMSSZ), as RFC 5280 writes them. */
export function readTime(bytes: Uint8Array, element: Element | undefined): Date {
  const text = element ? Buffer.from(value(bytes, element)).toString('latin1') : '';
  const utc = element?.tag === TAG.utcTime && /^\d{12}Z$/.test(text);
  if (!utc && !(element?.tag === TAG.generalizedTime && /^\d{14}Z$/.test(text)))
    throw new Error('malformed DER time');
  const digits = utc ? `${Number(text.slice(0, 2)) < 50 ? '20' : '19'}${text}` : text;
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) =>
    Number(digits.slice(at, at + (i === 0 ? 4 : 2))),
  ) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls over (month 13, day 32…): a date that does not read back as written is not a date.
  if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59)
    throw new Error('malformed DER time');
  return date;
}
