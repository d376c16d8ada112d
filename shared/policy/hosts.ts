// Member hosts become subjectAltNames: an IP address or a DNS name (RFC 1123, optional leading wildcard).
import { isIP } from 'node:net';

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

export type HostKind = 'ip' | 'dns';

export function hostKind(host: string): HostKind | undefined {
  if (isIP(host)) return 'ip';
  if (host.length === 0 || host.length > 253) return undefined;
  const labels = (host.endsWith('.') ? host.slice(0, -1) : host).split('.');
  const [first, ...rest] = labels;
  if (first === undefined) return undefined;
  if (/^\d+$/.test(labels[labels.length - 1] ?? '')) return undefined; // looks like a malformed IPv4
  const firstOk = first === '*' ? rest.length >= 2 : LABEL.test(first);
  return firstOk && rest.every((l) => LABEL.test(l)) ? 'dns' : undefined;
}
