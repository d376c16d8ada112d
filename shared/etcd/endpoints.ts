/**
 * etcd client endpoints, one rule set for every front (CLI flags and ETCDCTL_ENDPOINTS, the
 * Action's inputs, apply-rbac's ETCD_ENDPOINTS, `serve`, the CDK app's context): etcdctl's forms
 * `https://HOST[:PORT]` or `HOST[:PORT]` (HOST a DNS name or an IPv4 address, PORT 2379 when not
 * given), separated by commas or white space. etcd-warden reaches etcd over TLS only, so `http://`
 * is refused, as is any other scheme, a path or user information.
 */
import { WardenError } from '../errors.js';

export interface EtcdEndpoint {
  /** Normalized to https://HOST:PORT. */
  url: string;
  host: string;
  port: number;
}

const DEFAULT_ETCD_PORT = 2379;

const ENDPOINT = /^(?:https:\/\/)?([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::(\d{1,5}))?\/?$/;

/**
 * Parses endpoints given as a list or as one separated text; `source` names where they came from
 * (a flag, a variable, an input) in the error, a WardenError('invalid-input').
 */
export function parseEtcdEndpoints(given: string | readonly string[], source: string): EtcdEndpoint[] {
  const entries = (typeof given === 'string' ? [given] : given)
    .flatMap((text) => text.split(/[\s,]+/))
    .filter((text) => text !== '');
  const refuse = (why: string) => new WardenError('invalid-input', `${source}: ${why}`);
  if (entries.length === 0) throw refuse('at least one endpoint is required');
  return entries.map((raw) => {
    if (/^http:\/\//i.test(raw))
      throw refuse(`${JSON.stringify(raw)} is plain HTTP; etcd-warden talks to etcd over TLS only`);
    const match = ENDPOINT.exec(raw);
    const port = Number(match?.[2] ?? DEFAULT_ETCD_PORT);
    if (!match?.[1] || port < 1 || port > 65535)
      throw refuse(`${JSON.stringify(raw)} is not HOST:PORT or https://HOST:PORT`);
    return { url: `https://${match[1]}:${port}`, host: match[1], port };
  });
}

/** The endpoints' https:// URLs, for a connection. */
export const etcdEndpointUrls = (given: string | readonly string[], source: string): string[] =>
  parseEtcdEndpoints(given, source).map((endpoint) => endpoint.url);
