// Certificate serial numbers: 16 bytes from the CSPRNG with the top two bits fixed to 01, so
// the INTEGER is positive, minimally encoded at a constant 16 bytes, and carries 126 random bits
// (RFC 5280 allows 20 octets; CA/B Forum asks for at least 64 random bits).
import { unsignedInteger } from './der.js';

export const SERIAL_BYTES = 16;

export interface Serial {
  /** DER INTEGER. */
  der: Uint8Array;
  /** Lowercase hex without leading zeros: the form the policy's `ca.revoked` list uses. */
  hex: string;
}

export function newSerial(randomBytes: (size: number) => Uint8Array): Serial {
  const bytes = Uint8Array.from(randomBytes(SERIAL_BYTES));
  if (bytes.length !== SERIAL_BYTES) throw new Error('randomness source returned the wrong length');
  bytes[0] = ((bytes[0] as number) & 0x3f) | 0x40;
  return { der: unsignedInteger(bytes), hex: Buffer.from(bytes).toString('hex') };
}

/** DER INTEGER of a serial written as hex (the policy's revoked list). */
export function serialFromHex(hex: string): Uint8Array {
  const even = hex.length % 2 ? `0${hex}` : hex;
  return unsignedInteger(new Uint8Array(Buffer.from(even, 'hex')));
}
