// subjectAltName for member certificates: each host becomes an iPAddress (4 or 16 octets) or a
// dNSName, by what it is, never by what a request says.
import { isIP, isIPv4 } from 'node:net';
import * as pkijs from 'pkijs';
import { WardenError } from '../errors.js';
import { asn1js } from './asn1.js';

// GeneralName CHOICE tags (RFC 5280 §4.2.1.6).
export const DNS_NAME = 2;
export const IP_ADDRESS = 7;

function ipv4Bytes(text: string): number[] {
  return text.split('.').map(Number);
}

/** Network-order bytes of an IPv4 or IPv6 address (including `::` and a dotted IPv4 tail). */
function ipAddressBytes(text: string): Uint8Array {
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

/** GeneralNames for the hosts, in the order given: an iPAddress or a dNSName each. */
export const subjectAltNames = (hosts: readonly string[]): pkijs.GeneralNames =>
  new pkijs.GeneralNames({
    names: hosts.map((host) =>
      isIP(host)
        ? new pkijs.GeneralName({
            type: IP_ADDRESS,
            value: new asn1js.OctetString({ valueHex: ipAddressBytes(host) }),
          })
        : new pkijs.GeneralName({ type: DNS_NAME, value: host }),
    ),
  });
