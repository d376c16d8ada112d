// Calico's guide "Setting up etcd certificates for RBAC" (v3.5): the key prefixes each
// Calico component needs in etcd v3, as roles.
import type { Permission } from '../policy/types.js';

const FELIX = '/calico/felix/v1/';
const IPAM = '/calico/ipam/v2/';
const RESOURCES = '/calico/resources/v3/projectcalico.org/';
const DHCP_SUBNETS = '/calico/dhcp/v1/subnet/';

const rw = (prefix: string): Permission => ({ span: { type: 'prefix', prefix }, access: 'readwrite' });
const r = (prefix: string): Permission => ({ span: { type: 'prefix', prefix }, access: 'read' });

export const calicoRoles: Record<string, Permission[]> = {
  'calico-node': [rw(FELIX), rw(IPAM), rw(RESOURCES)],
  'calico-felix': [rw(FELIX), r(RESOURCES)],
  'calico-cni': [rw(IPAM), rw(RESOURCES)],
  'calico-kube-controllers': [rw(IPAM), rw(RESOURCES)],
  'calico-neutron-driver': [rw(IPAM), rw(RESOURCES)],
  'calico-dhcp-agent': [r(RESOURCES), r(DHCP_SUBNETS)],
  'calicoctl-readonly': [r(IPAM), r(RESOURCES)],
  'calicoctl-policy-editor': [
    r(IPAM),
    r(RESOURCES),
    rw(`${RESOURCES}globalnetworkpolicies/`),
    rw(`${RESOURCES}globalnetworksets/`),
    rw(`${RESOURCES}networkpolicies/`),
    rw(`${RESOURCES}profiles/`),
  ],
  'calicoctl-full': [rw(IPAM), rw(RESOURCES)],
  // The guide's simple split: Calico as a whole on its own prefix, Kubernetes on another.
  calico: [rw('/calico/')],
};
