/**
 * The egress apply-rbac's security group allows toward etcd (endpoints parsed by the core's
 * shared/etcd/endpoints.ts): an IP address opens that one address (/32) on its port, a DNS name
 * opens its port to any IPv4 address (the name's addresses are not known at synthesis).
 */
import { isIPv4 } from 'node:net';
import type { EtcdEndpoint } from '../shared/etcd/endpoints.js';

/** The CIDR an endpoint's egress rule opens. */
export const egressCidr = (endpoint: EtcdEndpoint): string =>
  isIPv4(endpoint.host) ? `${endpoint.host}/32` : '0.0.0.0/0';
