// The presets are the spec's tables (SPEC.md, "Presets", from Calico's guide v3.5): written out
// here by hand, role by role, so that a change to either the code or the table is noticed.
import { describe, expect, it } from 'vitest';
import type { Access, Permission } from '../../shared/policy/types.js';
import { presetOfRole, presets } from '../../shared/presets/index.js';

type Row = [prefix: string, access: 'RW' | 'R'];

// One row per line of the spec's table, prefixes and access in the table's order.
const SPEC_TABLE: Record<'calico' | 'kubernetes', Record<string, Row[]>> = {
  calico: {
    'calico-node': [
      ['/calico/felix/v1/', 'RW'],
      ['/calico/ipam/v2/', 'RW'],
      ['/calico/resources/v3/projectcalico.org/', 'RW'],
    ],
    'calico-felix': [
      ['/calico/felix/v1/', 'RW'],
      ['/calico/resources/v3/projectcalico.org/', 'R'],
    ],
    'calico-cni': [
      ['/calico/ipam/v2/', 'RW'],
      ['/calico/resources/v3/projectcalico.org/', 'RW'],
    ],
    'calico-kube-controllers': [
      ['/calico/ipam/v2/', 'RW'],
      ['/calico/resources/v3/projectcalico.org/', 'RW'],
    ],
    'calico-neutron-driver': [
      ['/calico/ipam/v2/', 'RW'],
      ['/calico/resources/v3/projectcalico.org/', 'RW'],
    ],
    'calico-dhcp-agent': [
      ['/calico/resources/v3/projectcalico.org/', 'R'],
      ['/calico/dhcp/v1/subnet/', 'R'],
    ],
    'calicoctl-readonly': [
      ['/calico/ipam/v2/', 'R'],
      ['/calico/resources/v3/projectcalico.org/', 'R'],
    ],
    'calicoctl-policy-editor': [
      ['/calico/ipam/v2/', 'R'],
      ['/calico/resources/v3/projectcalico.org/', 'R'],
      ['/calico/resources/v3/projectcalico.org/globalnetworkpolicies/', 'RW'],
      ['/calico/resources/v3/projectcalico.org/globalnetworksets/', 'RW'],
      ['/calico/resources/v3/projectcalico.org/networkpolicies/', 'RW'],
      ['/calico/resources/v3/projectcalico.org/profiles/', 'RW'],
    ],
    'calicoctl-full': [
      ['/calico/ipam/v2/', 'RW'],
      ['/calico/resources/v3/projectcalico.org/', 'RW'],
    ],
    calico: [['/calico/', 'RW']],
  },
  kubernetes: {
    'kubernetes-apiserver': [['/registry/', 'RW']],
  },
};

const ACCESS: Record<Row[1], Access> = { RW: 'readwrite', R: 'read' };

const asPermissions = (rows: Row[]): Permission[] =>
  rows.map(([prefix, access]) => ({ span: { type: 'prefix', prefix }, access: ACCESS[access] }));

describe('presets', () => {
  it.each(Object.keys(SPEC_TABLE) as (keyof typeof SPEC_TABLE)[])(
    '%s holds exactly the roles of the spec’s table, with their prefixes and access',
    (name) => {
      // Prepare
      const expected = Object.fromEntries(
        Object.entries(SPEC_TABLE[name]).map(([role, rows]) => [role, asPermissions(rows)]),
      );
      // Act
      const actual = presets[name];
      // Assess
      expect(actual).toEqual(expected);
    },
  );

  it('no role is in two presets, and each is found in its own', () => {
    // Prepare
    const roles = Object.entries(SPEC_TABLE).flatMap(([name, table]) =>
      Object.keys(table).map((role) => [role, name]),
    );
    // Act
    const found = roles.map(([role]) => [role, presetOfRole(role as string)]);
    // Assess
    expect(new Set(roles.map(([role]) => role)).size).toBe(roles.length);
    expect(found).toEqual(roles);
  });
});
