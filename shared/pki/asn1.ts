// The asn1js adapter: DER in, typed ASN.1 values out, with a message that says which field of
// which structure is wrong. Every structure the PKI reads from outside goes through here.
import * as asn1js from 'asn1js';
import { WardenError } from '../errors.js';

export type Asn1 = asn1js.AsnType;

// A 64 KiB CSR of empty elements holds about 32,000; real structures hold a few dozen.
const MAX_NODES = 4_096;

const invalid = (message: string): WardenError => new WardenError('invalid-input', message);

/**
 * The one ASN.1 value that `der` holds. `what` names it in errors ("the CSR"). Garbage, truncation
 * and trailing bytes each get their own message; asn1js bounds nesting depth itself.
 */
export function decodeDer(der: Uint8Array, what: string): Asn1 {
  // The input is never written to, so asn1js may keep views of it instead of a copy (a third of
  // its time). The contents of OCTET and BIT STRINGs (keys, signatures, extension values) are read
  // where they are used, by what they must be; asn1js would otherwise try each as ASN.1 on the way.
  const decoded = asn1js.fromBER(der, { copyInput: false, parseEmbedded: false, maxNodes: MAX_NODES });
  if (decoded.offset === -1) {
    const result = decoded.result as Asn1 & { lenBlock?: { length: number; blockLength: number } };
    const error = result.error ?? '';
    if (/nesting depth/i.test(error)) throw invalid(`${what} nests ASN.1 values too deeply`);
    if (/node count/i.test(error)) throw invalid(`${what} holds too many ASN.1 values`);
    if (der[0] !== 0x30) throw invalid(`${what} does not start with a DER SEQUENCE (garbage?)`);
    const header = (result.idBlock?.blockLength ?? 0) + (result.lenBlock?.blockLength ?? 0);
    const declared = header + (result.lenBlock?.length ?? 0);
    if (declared > der.length) throw invalid(`${what} is truncated: ${der.length} of ${declared} bytes`);
    throw invalid(`${what} is a SEQUENCE that does not decode as DER`);
  }
  if (decoded.offset < der.length)
    throw invalid(`${what} has ${der.length - decoded.offset} bytes after its end`);
  return decoded.result;
}

/** The elements of a SEQUENCE, or an error naming `field`. */
export function sequence(value: Asn1 | undefined, field: string): Asn1[] {
  if (!(value instanceof asn1js.Sequence)) throw invalid(`${field} is not a SEQUENCE`);
  return value.valueBlock.value;
}

const OID_SHOWN = 40;

/** An OID for a message: whole when short, else its first characters (an arc may be kilobytes long). */
export const oidText = (oid: string): string =>
  oid.length <= OID_SHOWN ? oid : `${oid.slice(0, OID_SHOWN)}… (${oid.length} characters)`;

export function objectIdentifier(value: Asn1 | undefined, field: string): string {
  if (!(value instanceof asn1js.ObjectIdentifier)) throw invalid(`${field} is not an OBJECT IDENTIFIER`);
  return value.valueBlock.toString();
}

/** A non-negative INTEGER as a bigint. */
export function unsignedInteger(value: Asn1 | undefined, field: string): bigint {
  if (!(value instanceof asn1js.Integer)) throw invalid(`${field} is not an INTEGER`);
  const n = value.toBigInt();
  if (n < 0n) throw invalid(`${field} is negative`);
  return n;
}

/** The bytes of a BIT STRING holding whole bytes, as keys and signatures do. */
export function wholeBytes(value: Asn1 | undefined, field: string): Uint8Array {
  if (!(value instanceof asn1js.BitString)) throw invalid(`${field} is not a BIT STRING`);
  if (value.valueBlock.unusedBits !== 0)
    throw invalid(`${field} has ${value.valueBlock.unusedBits} unused bits; it must be whole bytes`);
  return value.valueBlock.valueHexView;
}

export const isNull = (value: Asn1 | undefined): boolean => value instanceof asn1js.Null;

/** The exact bytes a value was decoded from (what a signature covers). */
export const encodedBytes = (value: Asn1): Uint8Array => value.valueBeforeDecodeView;

/** Context-specific constructed `[n]` (as PKCS#10's attributes `[0]`). */
export const isContextTag = (value: Asn1 | undefined, n: number): boolean =>
  value?.idBlock.tagClass === 3 && value.idBlock.tagNumber === n;

export { asn1js };

/**
 * Encodes `value` once. Returns its DER and an asn1js value that writes exactly those bytes again
 * (asn1js writes the tag and length, the contents are the bytes already encoded), so a part that
 * is signed and then placed in the signed envelope, or that is the same in every certificate, is
 * not rebuilt and re-serialized by asn1js each time (in asn1js 4 each value costs microseconds).
 */
export function encodeOnce(value: Asn1): { der: Uint8Array; reusable: Asn1 } {
  const der = new Uint8Array(value.toBER());
  const { tagClass, tagNumber, isConstructed } = value.idBlock;
  const reusable = new asn1js.Primitive({
    idBlock: { tagClass, tagNumber },
    valueHex: der.subarray(der.length - value.lenBlock.length),
  });
  // Primitive clears the constructed bit; a SEQUENCE written from its contents keeps it.
  reusable.idBlock.isConstructed = isConstructed;
  return { der, reusable };
}

/** The pkijs object, its encoding fixed from now on: toSchema gives the value encoded once. */
export function encodedOnce<T extends { toSchema(): Asn1 }>(object: T): T {
  const { reusable } = encodeOnce(object.toSchema());
  object.toSchema = () => reusable;
  return object;
}
