// The protobuf wire format, as far as etcd's auth messages need it: varints and length-delimited
// fields (strings, bytes, nested messages). Enough to write the few requests and read their
// answers without loading a .proto parser.

/** A field to write: strings and buffers length-delimited, numbers as varints. */
export type WireValue = string | Buffer | number;

const varint = (value: number): number[] => {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
  return out;
};

/** Encodes `[field number, value]` pairs in order; empty strings, buffers and zeros are left out, as proto3 does. */
export function encodeMessage(fields: readonly (readonly [number, WireValue])[]): Buffer {
  const parts: Buffer[] = [];
  for (const [field, value] of fields) {
    if (typeof value === 'number') {
      if (value !== 0) parts.push(Buffer.from([...varint(field * 8), ...varint(value)]));
      continue;
    }
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
    if (bytes.length === 0) continue;
    parts.push(Buffer.from([...varint(field * 8 + 2), ...varint(bytes.length)]), bytes);
  }
  return Buffer.concat(parts);
}

/** The fields of one message, in wire order: varints as numbers, length-delimited ones as buffers. */
export function decodeFields(message: Buffer): [number, number | Buffer][] {
  const fields: [number, number | Buffer][] = [];
  let at = 0;
  const readVarint = (): number => {
    let value = 0;
    for (let scale = 1; ; scale *= 0x80) {
      if (at >= message.length) throw new Error('truncated protobuf message');
      const byte = message[at++] as number;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
    }
  };
  while (at < message.length) {
    const tag = readVarint();
    const field = Math.floor(tag / 8);
    switch (tag % 8) {
      case 0:
        fields.push([field, readVarint()]);
        break;
      case 2: {
        const length = readVarint();
        if (at + length > message.length) throw new Error('truncated protobuf message');
        fields.push([field, message.subarray(at, at + length)]);
        at += length;
        break;
      }
      case 1:
        at += 8;
        break;
      case 5:
        at += 4;
        break;
      default:
        throw new Error(`unsupported protobuf wire type ${tag % 8}`);
    }
  }
  return fields;
}

/** Every length-delimited value of `field`, in order (a repeated string, bytes or message field). */
export function repeatedBytes(message: Buffer, field: number): Buffer[] {
  return decodeFields(message)
    .filter(([f, value]) => f === field && Buffer.isBuffer(value))
    .map(([, value]) => value as Buffer);
}
