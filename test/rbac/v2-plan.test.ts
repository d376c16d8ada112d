// The v2 planner, pure: policies against v2 stores built by hand.
import { describe, expect, it } from 'vitest';
import { planChanges } from '../../shared/rbac/plan.js';
import type { V2LiveState } from '../../shared/rbac/v2-live-state.js';
import { planV2Changes } from '../../shared/rbac/v2-plan.js';
import { policyOf } from './policy-fixtures.js';

const empty = (): V2LiveState => ({ authEnabled: false, roles: new Map(), users: new Map() });

const calicoPolicy = (apis: ('v3' | 'v2')[], prune = false) =>
  policyOf({
    apis,
    prune,
    roles: {
      calico: [
        { span: { type: 'prefix', prefix: '/calico/' }, access: 'readwrite' },
        { span: { type: 'key', key: '/flag' }, access: 'read' },
      ],
    },
    users: { root: ['root'], calico: ['calico'] },
  });

describe('planV2Changes', () => {
  it('turns a prefix into PREFIX*, a key into its path, and enables v2 auth last with an empty guest made first', () => {
    // Act
    const changes = planV2Changes(calicoPolicy(['v3', 'v2']), empty());

    // Assess
    expect(changes).toEqual([
      { op: 'v2-add-role', role: 'calico' },
      { op: 'v2-add-role', role: 'guest' },
      { op: 'v2-grant-path', role: 'calico', path: '/calico/*', access: 'read' },
      { op: 'v2-grant-path', role: 'calico', path: '/flag', access: 'read' },
      { op: 'v2-grant-path', role: 'calico', path: '/calico/*', access: 'write' },
      { op: 'v2-add-user', user: 'calico' },
      { op: 'v2-add-user', user: 'root' },
      { op: 'v2-grant-role', user: 'calico', role: 'calico' },
      { op: 'v2-enable-auth' },
    ]);
  });

  it('empties an open guest role and plans nothing once the store matches', () => {
    // Prepare
    const live: V2LiveState = {
      authEnabled: true,
      roles: new Map([
        ['calico', { read: ['/calico/*', '/flag'], write: ['/calico/*'] }],
        ['guest', { read: ['/*'], write: ['/*'] }],
      ]),
      users: new Map([
        ['calico', ['calico']],
        ['root', ['root']],
      ]),
    };

    // Act
    const changes = planV2Changes(calicoPolicy(['v3', 'v2']), live);

    // Assess
    expect(changes).toEqual([
      { op: 'v2-revoke-path', role: 'guest', path: '/*', access: 'read' },
      { op: 'v2-revoke-path', role: 'guest', path: '/*', access: 'write' },
    ]);
    const locked = { ...live, roles: new Map([...live.roles, ['guest', { read: [], write: [] }]]) };
    expect(planV2Changes(calicoPolicy(['v3', 'v2']), locked)).toEqual([]);
  });

  it('tears v2 down with apis [v3] and prune: auth off first, then every user and role', () => {
    // Prepare
    const live: V2LiveState = {
      authEnabled: true,
      roles: new Map([
        ['calico', { read: ['/calico/*'], write: [] }],
        ['guest', { read: [], write: [] }],
      ]),
      users: new Map([
        ['calico', ['calico']],
        ['root', ['root']],
      ]),
    };

    // Act + Assess
    expect(planV2Changes(calicoPolicy(['v3'], true), live)).toEqual([
      { op: 'v2-disable-auth' },
      { op: 'v2-delete-user', user: 'calico' },
      { op: 'v2-delete-user', user: 'root' },
      { op: 'v2-delete-role', role: 'calico' },
      { op: 'v2-delete-role', role: 'guest' },
    ]);
    expect(planV2Changes(calicoPolicy(['v3'], false), live)).toEqual([]);
  });

  it('refuses a v2 policy when etcd does not serve v2, and [v2] alone plans no v3 change', () => {
    // Act + Assess
    expect(() => planV2Changes(calicoPolicy(['v2']), undefined)).toThrow(/--enable-v2/);
    const changes = planChanges(calicoPolicy(['v2']), {
      authEnabled: false,
      roles: new Map(),
      users: new Map(),
      v2: empty(),
    });
    expect(changes.length).toBeGreaterThan(0);
    expect(changes.every((c) => c.op.startsWith('v2-'))).toBe(true);
  });
});
