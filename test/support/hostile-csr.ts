// Hand-made PKCS#10 requests for the hostile corpus: any key, any subject, any field broken,
// built with asn1js (not with the code under test) and signed as the test says.
import { createHash, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import * as asn1js from 'asn1js';

const OIDS = {
  commonName: '2.5.4.3',
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  p384: '1.3.132.0.34',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ed25519: '1.3.101.112',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  sha256WithRsa: '1.2.840.113549.1.1.11',
};

export { OIDS as CSR_OIDS };

const oid = (value: string) => new asn1js.ObjectIdentifier({ value });
const der = (value: asn1js.BaseBlock): Uint8Array => new Uint8Array(value.toBER(false));

/** SubjectPublicKeyInfo from an algorithm identifier's parts and the key bits. */
export function spki(
  algorithm: string,
  parameters: asn1js.BaseBlock | undefined,
  keyBits: Uint8Array,
): Uint8Array {
  return der(
    new asn1js.Sequence({
      value: [
        new asn1js.Sequence({ value: parameters ? [oid(algorithm), parameters] : [oid(algorithm)] }),
        new asn1js.BitString({ valueHex: keyBits }),
      ],
    }),
  );
}

export const ecSpki = (curve: string, point: Uint8Array) => spki(OIDS.ecPublicKey, oid(curve), point);

/** An RSA SubjectPublicKeyInfo whose INTEGERs are written as given (so non-minimal forms are possible). */
export function rsaSpki(modulus: Uint8Array, exponent: Uint8Array): Uint8Array {
  const integer = (bytes: Uint8Array) => new asn1js.Integer({ valueHex: bytes });
  const key = der(new asn1js.Sequence({ value: [integer(modulus), integer(exponent)] }));
  return spki(OIDS.rsaEncryption, new asn1js.Null(), key);
}

export const subjectCn = (value: asn1js.BaseBlock): asn1js.Sequence =>
  new asn1js.Sequence({
    value: [new asn1js.Set({ value: [new asn1js.Sequence({ value: [oid(OIDS.commonName), value] })] })],
  });

export interface CsrParts {
  spki: Uint8Array;
  subject?: asn1js.BaseBlock;
  version?: number;
  /** The attributes field; `null` leaves it out. */
  attributes?: asn1js.BaseBlock | null;
  extraInfoField?: asn1js.BaseBlock;
  signatureAlgorithm?: string;
  /** Signs the CertificationRequestInfo's DER; defaults to no signature at all (zero bytes). */
  sign?: (info: Uint8Array) => Uint8Array;
  unusedBits?: number;
}

export function csr(parts: CsrParts): Uint8Array {
  const attributes =
    parts.attributes === undefined
      ? new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [] })
      : parts.attributes;
  const infoFields: asn1js.BaseBlock[] = [
    new asn1js.Integer({ value: parts.version ?? 0 }),
    parts.subject ?? subjectCn(new asn1js.Utf8String({ value: 'app' })),
    asn1js.fromBER(parts.spki).result as asn1js.BaseBlock,
  ];
  if (attributes) infoFields.push(attributes);
  if (parts.extraInfoField) infoFields.push(parts.extraInfoField);
  const info = der(new asn1js.Sequence({ value: infoFields }));
  const signature = parts.sign?.(info) ?? new Uint8Array(0);
  const bits = new asn1js.BitString({ valueHex: signature });
  bits.valueBlock.unusedBits = parts.unusedBits ?? 0;
  return der(
    new asn1js.Sequence({
      value: [
        asn1js.fromBER(info).result as asn1js.BaseBlock,
        new asn1js.Sequence({ value: [oid(parts.signatureAlgorithm ?? OIDS.ecdsaWithSha256)] }),
        bits,
      ],
    }),
  );
}

export const pem = (bytes: Uint8Array, label = 'CERTIFICATE REQUEST'): string =>
  `-----BEGIN ${label}-----\n${Buffer.from(bytes)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')}\n-----END ${label}-----\n`;

/** A P-256 key and the signer its CSRs use. */
export function p256(): { key: KeyObject; spki: Uint8Array; sign: (info: Uint8Array) => Uint8Array } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    key: pair.privateKey,
    spki: new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' })),
    sign: (info) => new Uint8Array(sign('sha256', info, pair.privateKey)),
  };
}

/**
 * The PKCS#1 v1.5 encoded SHA-256 digest (RFC 8017 §9.2) of `info`, `k` bytes long. With a public
 * exponent of 1 it is its own signature: s^1 = EM, so anyone can "sign" without a private key.
 */
export function pkcs1Sha256(info: Uint8Array, k: number): Uint8Array {
  const digestInfo = Buffer.concat([
    Buffer.from('3031300d060960864801650304020105000420', 'hex'),
    createHash('sha256').update(info).digest(),
  ]);
  const em = Buffer.alloc(k, 0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[k - digestInfo.length - 1] = 0x00;
  digestInfo.copy(em, k - digestInfo.length);
  return new Uint8Array(em);
}

/** The modulus of a real 2048-bit RSA key (odd, top bit set), as a positive INTEGER's bytes. */
export function realModulus(): Uint8Array {
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
  return new Uint8Array(Buffer.concat([Buffer.from([0]), Buffer.from(jwk.n as string, 'base64url')]));
}
