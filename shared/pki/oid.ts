// Object identifiers the PKI writes or reads, with their DER encodings (X.690 §8.19) computed once.
import { type Element, TAG, tlv, value } from './der.js';

export const OID = {
  commonName: '2.5.4.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  extensionRequest: '1.2.840.113549.1.9.14',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  ed25519: '1.3.101.112',
} as const;

const cache = new Map<string, Uint8Array>();

/** Base-128, most significant group first, the high bit set on all but the last byte. */
function base128(n: bigint): number[] {
  const out = [Number(n & 0x7fn)];
  for (let rest = n >> 7n; rest > 0n; rest >>= 7n) out.unshift(Number(rest & 0x7fn) | 0x80);
  return out;
}

/** The full DER encoding (tag 06, length, value) of a dotted OID. */
export function oidDer(dotted: string): Uint8Array {
  let der = cache.get(dotted);
  if (!der) {
    const arcs = dotted.split('.').map((arc) => BigInt(arc));
    const [first = 0n, second = 0n, ...rest] = arcs;
    if (arcs.length < 2 || first > 2n || (first < 2n && second > 39n)) throw new Error(`bad OID ${dotted}`);
    // The first two arcs share one subidentifier: 40 × first + second.
    const bytes = [first * 40n + second, ...rest].flatMap(base128);
    der = tlv(TAG.oid, Uint8Array.from(bytes));
    cache.set(dotted, der);
  }
  return der;
}

/** The dotted form of an OBJECT IDENTIFIER's value bytes; throws on a malformed encoding. */
export function oidText(value: Uint8Array): string {
  const subidentifiers: bigint[] = [];
  let current = 0n;
  let open = false;
  for (const byte of value) {
    // A leading 0x80 would be a non-minimal encoding.
    if (!open && byte === 0x80) throw new Error('malformed OID');
    current = (current << 7n) | BigInt(byte & 0x7f);
    open = (byte & 0x80) !== 0;
    if (!open) {
      subidentifiers.push(current);
      current = 0n;
    }
  }
  const [head, ...rest] = subidentifiers;
  if (head === undefined || open) throw new Error('malformed OID');
  const first = head < 80n ? head / 40n : 2n;
  return [first, head - first * 40n, ...rest].join('.');
}

/** The dotted OID held by `element`, which must be an OBJECT IDENTIFIER. */
export function readOid(bytes: Uint8Array, element: Element | undefined): string {
  if (element?.tag !== TAG.oid) throw new Error('malformed DER: expected an OBJECT IDENTIFIER');
  return oidText(value(bytes, element));
}
