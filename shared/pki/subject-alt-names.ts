// subjectAltName for member certificates: each host becomes an iPAddress (4 or 16 octets) or a
// dNSName, by what it is, never by what a request says.
import { isIP, isIPv4 } from 'node:net';
import { WardenError } from '../errors.js';
import { implicit, TAG, tlv } from './der.js';

const DNS_NAME = 2;
const IP_ADDRESS = 7;

function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

/** Network-order bytes of an IPv4 or IPv6 address (including `::` and a dotted IPv4 tail). */
export function ipAddressBytes(text: string): Uint8Array {
  if (isIPv4(text)) return Uint8Array.from(ipv4Bytes(text));
  if (isIP(text) !== 6) throw new WardenError('invalid-input', `"${text}" is not an IP address`);
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const groups = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((g) => {
      if (!isIPv4(g)) return [Number.parseInt(g, 16)];
      const [a = 0, b = 0, c = 0, d = 0] = ipv4Bytes(g);
      return [(a << 8) | b, (c << 8) | d];
    });
  };
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const words = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  return Uint8Array.from(words.flatMap((w) => [w >> 8, w & 0xff]));
}

const ascii = new TextEncoder();

/** DER GeneralNames for the hosts, in the order given: [7] iPAddress or [2] dNSName (IA5String), IMPLICIT. */
export function subjectAltNames(hosts: readonly string[]): Uint8Array {
  const names = hosts.map((host) =>
    isIP(host)
      ? tlv(implicit(IP_ADDRESS), ipAddressBytes(host))
      : tlv(implicit(DNS_NAME), ascii.encode(host)),
  );
  return tlv(TAG.sequence, ...names);
}
