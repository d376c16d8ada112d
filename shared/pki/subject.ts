// Subject names. Every name this CA writes is exactly one Common Name: etcd takes the username
// from the CN, and anything more (O, OU…) would only be something else for a verifier to trust.
import { childrenOf, type Element, TAG, tlv, utf8String, value } from './der.js';
import { OID, oidDer, readOid } from './oid.js';

export const commonNameSubject = (commonName: string): Uint8Array =>
  tlv(TAG.sequence, tlv(TAG.set, tlv(TAG.sequence, oidDer(OID.commonName), utf8String(commonName))));

export interface NameAttribute {
  type: string;
  /** The value's tag and bytes (a DirectoryString for the CN). */
  tag: number;
  value: Uint8Array;
}

/** The attributes of a Name (SEQUENCE OF SET OF AttributeTypeAndValue), in order. */
export function readName(bytes: Uint8Array, name: Element | undefined): NameAttribute[] {
  return childrenOf(bytes, name, TAG.sequence).flatMap((rdn) =>
    childrenOf(bytes, rdn, TAG.set).map((attribute) => {
      const [type, content, ...rest] = childrenOf(bytes, attribute, TAG.sequence);
      if (!content || rest.length > 0) throw new Error('malformed AttributeTypeAndValue');
      return { type: readOid(bytes, type), tag: content.tag, value: value(bytes, content) };
    }),
  );
}

const STRING_TAGS: Record<number, string> = {
  12: 'utf-8', // UTF8String
  19: 'latin1', // PrintableString (a subset of ASCII)
  22: 'latin1', // IA5String (ASCII)
  30: 'utf-16be', // BMPString
};

/** The text of a DirectoryString; undefined for other types or bytes that are not valid text. */
export function directoryString(tag: number, bytes: Uint8Array): string | undefined {
  const encoding = STRING_TAGS[tag];
  if (!encoding) return undefined;
  if (encoding === 'latin1')
    return bytes.every((b) => b < 0x80) ? Buffer.from(bytes).toString('latin1') : undefined;
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** The Common Names of a Name, as text (undefined where a CN is not text). */
export const commonNames = (attributes: readonly NameAttribute[]): (string | undefined)[] =>
  attributes.filter((a) => a.type === OID.commonName).map((a) => directoryString(a.tag, a.value));
