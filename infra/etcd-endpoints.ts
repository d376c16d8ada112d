/**
 * etcd client endpoints as apply-rbac's configuration and as the egress its security group allows:
 * an IP address opens that one address (/32) on its port, a DNS name opens its port to any IPv4
 * address (the name's addresses are not known at synthesis).
 */
import { isIPv4 } from 'node:net';

export interface EtcdEndpoint {
  /** Normalized to https://HOST:PORT. */
  url: string;
  host: string;
  port: number;
}

const DEFAULT_PORT = 2379;

// etcdctl's forms: https://HOST[:PORT] or HOST[:PORT]; HOST a DNS name or an IPv4 address.
const ENDPOINT = /^(?:https:\/\/)?([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?\/?$/;

/** Parses the endpoints; throws on anything else. */
export function parseEtcdEndpoints(endpoints: readonly string[]): EtcdEndpoint[] {
  if (endpoints.length === 0) throw new Error('etcdEndpoints: at least one endpoint is required');
  return endpoints.map((raw) => {
    if (raw.trim().startsWith('http://'))
      throw new Error(
        `etcdEndpoints: ${JSON.stringify(raw)} is plain HTTP; etcd-warden talks to etcd over TLS only`,
      );
    const match = ENDPOINT.exec(raw.trim());
    const port = Number(match?.[2] ?? DEFAULT_PORT);
    if (!match?.[1] || port < 1 || port > 65535)
      throw new Error(`etcdEndpoints: ${JSON.stringify(raw)} is not HOST:PORT or https://HOST:PORT`);
    return { url: `https://${match[1]}:${port}`, host: match[1], port };
  });
}

/** The CIDR an endpoint's egress rule opens. */
export const egressCidr = (endpoint: EtcdEndpoint): string =>
  isIPv4(endpoint.host) ? `${endpoint.host}/32` : '0.0.0.0/0';
