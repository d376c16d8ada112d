// Subject names. Every name this CA writes is exactly one Common Name: etcd takes the username
// from the CN, and anything more (O, OU…) would only be something else for a verifier to trust.
import * as pkijs from 'pkijs';
import { asn1js } from './asn1.js';
import { OID } from './object-identifiers.js';

/** A Name holding one CN, as a UTF8String (RFC 5280 §4.1.2.6 asks new names to be UTF8String). */
export const commonNameSubject = (commonName: string): pkijs.RelativeDistinguishedNames =>
  new pkijs.RelativeDistinguishedNames({
    typesAndValues: [
      new pkijs.AttributeTypeAndValue({
        type: OID.commonName,
        value: new asn1js.Utf8String({ value: commonName }),
      }),
    ],
  });

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

/** The text of a universal-class string value; undefined for anything else. */
export function attributeText(value: asn1js.AsnType): string | undefined {
  if (value.idBlock.tagClass !== 1) return undefined;
  return directoryString(
    value.idBlock.tagNumber,
    (value.valueBlock as { valueHexView?: Uint8Array }).valueHexView ?? new Uint8Array(0),
  );
}

/** The Common Names of a Name, as text (undefined where a CN is not text). */
export const commonNames = (name: pkijs.RelativeDistinguishedNames): (string | undefined)[] =>
  name.typesAndValues.filter((a) => a.type === OID.commonName).map((a) => attributeText(a.value));
