// Key spans as etcd stores them: a permission is [key, rangeEnd) over raw bytes, where an
// empty rangeEnd means the single key and a rangeEnd of one zero byte means "to the end".
import type { KeySpan } from './types.js';

export interface EtcdRange {
  key: Buffer;
  /** Empty: exactly `key`. `\0`: every key >= `key`. */
  rangeEnd: Buffer;
}

const TO_THE_END = Buffer.from([0]);

/** etcd's GetPrefixRangeEnd: the first key after every key that starts with `prefix`. */
export function prefixRangeEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return TO_THE_END;
}

export function toEtcdRange(span: KeySpan): EtcdRange {
  switch (span.type) {
    case 'key':
      return { key: Buffer.from(span.key), rangeEnd: Buffer.alloc(0) };
    case 'range':
      return {
        key: Buffer.from(span.from),
        rangeEnd: span.to === '' ? Buffer.from(TO_THE_END) : Buffer.from(span.to),
      };
    case 'prefix':
      // etcd matches no key with a permission that starts at the empty key (it reads it as past
      // every key); the whole key space is [\0, \0) in its notation.
      return span.prefix === ''
        ? { key: Buffer.from(TO_THE_END), rangeEnd: Buffer.from(TO_THE_END) }
        : { key: Buffer.from(span.prefix), rangeEnd: prefixRangeEnd(Buffer.from(span.prefix)) };
  }
}

/** The span an etcd range denotes, in the most readable of the policy's three forms. */
export function fromEtcdRange(range: EtcdRange): KeySpan {
  const key = range.key.toString();
  if (range.rangeEnd.length === 0) return { type: 'key', key };
  if (range.rangeEnd.equals(TO_THE_END) && range.key.equals(TO_THE_END))
    return { type: 'prefix', prefix: '' };
  if (range.rangeEnd.equals(prefixRangeEnd(range.key))) return { type: 'prefix', prefix: key };
  if (range.rangeEnd.equals(TO_THE_END)) return { type: 'range', from: key, to: '' };
  return { type: 'range', from: key, to: range.rangeEnd.toString() };
}

/** A half-open interval of keys; `end === null` means unbounded. */
export interface Interval {
  start: Buffer;
  end: Buffer | null;
}

export function toInterval(span: KeySpan): Interval {
  const { key, rangeEnd } = toEtcdRange(span);
  if (rangeEnd.length === 0) return { start: key, end: Buffer.concat([key, TO_THE_END]) };
  if (rangeEnd.equals(TO_THE_END))
    return { start: span.type === 'prefix' ? Buffer.alloc(0) : key, end: null };
  return { start: key, end: rangeEnd };
}

/** Stable identity of the range etcd keys a permission by. */
export const rangeId = (span: KeySpan): string => {
  const { key, rangeEnd } = toEtcdRange(span);
  return `${key.toString('hex')}:${rangeEnd.toString('hex')}`;
};

/** Orders interval ends, unbounded last. */
export const compareEnds = (a: Buffer | null, b: Buffer | null): number =>
  a === null ? (b === null ? 0 : 1) : b === null ? -1 : Buffer.compare(a, b);

export const describeSpan = (span: KeySpan): string =>
  span.type === 'prefix'
    ? `prefix ${JSON.stringify(span.prefix)}`
    : span.type === 'key'
      ? `key ${JSON.stringify(span.key)}`
      : span.to === ''
        ? `range [${JSON.stringify(span.from)}, end of key space)`
        : `range [${JSON.stringify(span.from)}, ${JSON.stringify(span.to)})`;
