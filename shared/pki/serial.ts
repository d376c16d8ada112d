// Certificate serial numbers: 16 bytes from the CSPRNG with the top two bits fixed to 01, so
// the INTEGER is positive, minimally encoded at a constant 16 bytes, and carries 126 random bits
// (RFC 5280 allows 20 octets; CA/B Forum asks for at least 64 random bits).
import { asn1js } from './asn1.js';

export const SERIAL_BYTES = 16;

export interface Serial {
  integer: asn1js.Integer;
  /** Lowercase hex without leading zeros: the form the policy's `ca.revoked` list uses. */
  hex: string;
}

export function newSerial(randomBytes: (size: number) => Uint8Array): Serial {
  const bytes = Uint8Array.from(randomBytes(SERIAL_BYTES));
  if (bytes.length !== SERIAL_BYTES) throw new Error('randomness source returned the wrong length');
  bytes[0] = ((bytes[0] as number) & 0x3f) | 0x40;
  return { integer: new asn1js.Integer({ valueHex: bytes }), hex: Buffer.from(bytes).toString('hex') };
}

/** The INTEGER of a serial written as hex (the policy's revoked list): positive, minimally encoded. */
export const serialFromHex = (hex: string): asn1js.Integer => asn1js.Integer.fromBigInt(BigInt(`0x${hex}`));
