// The planner alone: a pure function from (policy, live state) to ordered changes.
import { describe, expect, it } from 'vitest';
import type { Change } from '../../shared/rbac/change.js';
import { formatPlan } from '../../shared/rbac/format-plan.js';
import { planChanges } from '../../shared/rbac/plan.js';
import { assertPlanIsSafe } from '../../shared/rbac/safety.js';
import { simulate } from '../../shared/rbac/simulate.js';
import {
  EMPTY,
  examplePolicy,
  key,
  liveOf,
  livePerm,
  policyOf,
  prefix,
  range,
  withV2,
} from './policy-fixtures.js';

const ops = (changes: Change[]): string[] =>
  changes.map((c) => [c.op, 'role' in c ? c.role : '', 'user' in c ? c.user : ''].filter(Boolean).join(' '));

describe('planChanges', () => {
  it('brings an empty cluster to the Calico + Kubernetes split in the safe order', () => {
    // Prepare
    const policy = examplePolicy('calico-kubernetes-simple.yaml');

    // Act
    const changes = planChanges(policy, EMPTY);

    // Assess
    expect(ops(changes)).toEqual([
      'add-role calico',
      'add-role kubernetes-apiserver',
      'grant-permission calico',
      'grant-permission kubernetes-apiserver',
      'add-user calico',
      'add-user kube-apiserver',
      'add-user root',
      'grant-role calico calico',
      'grant-role kubernetes-apiserver kube-apiserver',
      'grant-role root kube-apiserver',
      'grant-role root root',
      'enable-auth',
    ]);
    const calico = changes.find((c) => c.op === 'grant-permission' && c.role === 'calico');
    expect(calico).toMatchObject({
      key: Buffer.from('/calico/'),
      rangeEnd: Buffer.from('/calico0'),
      access: 'readwrite',
    });
    expect(formatPlan(changes, false)).toContain('+ permission calico: prefix "/calico/" readwrite');
    expect(formatPlan(changes, false).split('\n').at(-1)).toBe('Plan: 12 to add, 0 to change, 0 to remove.');
  });

  it('plans nothing once its own plan is applied (idempotent), for every example policy', () => {
    for (const name of [
      'calico-kubernetes-simple.yaml',
      'calico-advanced.yaml',
      'members-and-templates.yaml',
    ]) {
      // Prepare
      const policy = examplePolicy(name);
      const applied = simulate(EMPTY, planChanges(policy, EMPTY));

      // Act
      const again = planChanges(policy, applied);

      // Assess
      expect(again, name).toEqual([]);
    }
  });

  it('maps prefix, single key, range, range to the end and the whole key space to etcd bytes', () => {
    // Prepare
    const policy = policyOf({
      roles: {
        r: [prefix('/a/'), key('/k', 'read'), range('/m', '/n', 'write'), range('/z', ''), prefix('')],
      },
    });

    // Act
    const grants = planChanges(policy, EMPTY).filter((c) => c.op === 'grant-permission');

    // Assess: etcd's notation, in the planner's order (by key, then range end, as hex).
    const hex = (text: string): string => Buffer.from(text).toString('hex');
    const bytes = grants.map((g) => [g.key.toString('hex'), g.rangeEnd.toString('hex'), g.access]);
    expect(bytes).toEqual([
      // The whole key space: [\0, \0) in etcd’s notation.
      ['00', '00', 'readwrite'],
      [hex('/a/'), hex('/a0'), 'readwrite'],
      [hex('/k'), '', 'read'],
      [hex('/m'), hex('/n'), 'write'],
      // A range with no end runs to the end of the key space: range_end \0.
      [hex('/z'), '00', 'read'],
    ]);
  });

  it('merges two grants on one range into one permission', () => {
    // Prepare
    const policy = policyOf({ roles: { r: [prefix('/a/', 'read'), prefix('/a/', 'write')] } });

    // Act
    const grants = planChanges(policy, EMPTY).filter((c) => c.op === 'grant-permission');

    // Assess
    expect(grants).toEqual([expect.objectContaining({ access: 'readwrite' })]);
  });

  it('changes access on an existing range with exactly one re-grant and no revoke', () => {
    // Prepare
    const policy = policyOf({
      roles: { r: [prefix('/a/', 'readwrite')] },
      users: { root: ['root'], u: ['r'] },
    });
    const live = liveOf({
      authEnabled: true,
      roles: { r: [livePerm('/a/', '/a0', 'read')] },
      users: { root: ['root'], u: ['r'] },
    });

    // Act
    const changes = planChanges(policy, live);

    // Assess
    expect(changes).toEqual([
      {
        op: 'grant-permission',
        role: 'r',
        key: Buffer.from('/a/'),
        rangeEnd: Buffer.from('/a0'),
        access: 'readwrite',
        previous: 'read',
      },
    ]);
    expect(formatPlan(changes, false)).toBe(
      '~ permission r: prefix "/a/" read -> readwrite\nPlan: 0 to add, 1 to change, 0 to remove.',
    );
  });

  it('grants before it revokes, and revokes extra permissions with the bytes etcd returned', () => {
    // Prepare
    const policy = policyOf({ roles: { r: [prefix('/new/')] }, users: { root: ['root'], u: ['r'] } });
    const stray = livePerm('/old', Buffer.from([0]), 'read');
    const live = liveOf({ authEnabled: true, roles: { r: [stray] }, users: { root: ['root'], u: ['r'] } });

    // Act
    const changes = planChanges(policy, live);

    // Assess
    expect(ops(changes)).toEqual(['grant-permission r', 'revoke-permission r']);
    expect(changes[1]).toMatchObject({ key: stray.key, rangeEnd: stray.rangeEnd });
  });

  it('swaps a user’s role by granting the new one before revoking the old one', () => {
    // Prepare
    const policy = policyOf({ roles: { a: [], b: [] }, users: { root: ['root'], u: ['b'] } });
    const live = liveOf({ authEnabled: true, roles: { a: [], b: [] }, users: { root: ['root'], u: ['a'] } });

    // Act
    const changes = planChanges(policy, live);

    // Assess
    expect(ops(changes)).toEqual(['grant-role b u', 'revoke-role a u']);
  });

  it('leaves undeclared roles and users alone without prune', () => {
    // Prepare
    const policy = policyOf({ users: { root: ['root'] } });
    const live = liveOf({
      authEnabled: true,
      roles: { extra: [] },
      users: { root: ['root'], stranger: ['extra'] },
    });

    // Act
    const changes = planChanges(policy, live);

    // Assess
    expect(changes).toEqual([]);
  });

  it('with prune removes undeclared users and roles, but never root nor template users', () => {
    // Prepare
    const policy = policyOf({
      prune: true,
      roles: { node: [prefix('/calico/')] },
      users: { admin: ['root'], root: ['root'] },
      templates: { node: { user: 'calico-node-{instanceId}', roles: ['node'] } },
    });
    const live = liveOf({
      authEnabled: true,
      roles: { node: [livePerm('/calico/', '/calico0', 'readwrite')], extra: [], root: [] },
      users: {
        root: ['root', 'extra'],
        admin: ['root'],
        stranger: ['extra'],
        'calico-node-i-0abc': ['node'],
        'calico-node-': [],
      },
    });

    // Act
    const changes = planChanges(policy, live);

    // Assess: deleting "extra" takes it from root too, so no separate revoke is planned.
    expect(ops(changes)).toEqual(['delete-user calico-node-', 'delete-user stranger', 'delete-role extra']);
    expect(simulate(live, changes).users.get('root')).toEqual(['root']);
  });

  it('never takes the root role from root, even when the policy lists other roles only', () => {
    // Prepare
    const policy = policyOf({ roles: { a: [] }, users: { root: ['a'] }, auth: 'disabled' });
    const live = liveOf({ roles: { a: [] }, users: { root: ['root'] } });

    // Act
    const changes = planChanges(policy, live);

    // Assess
    expect(ops(changes)).toEqual(['grant-role a root']);
  });

  it('never diffs the root role’s permissions', () => {
    // Prepare
    const policy = policyOf({ users: { root: ['root'] } });
    const live = liveOf({
      authEnabled: true,
      roles: { root: [livePerm('/x', '', 'read')] },
      users: { root: ['root'] },
    });

    // Act
    const changes = planChanges({ ...policy, prune: true }, live);

    // Assess
    expect(changes).toEqual([]);
  });

  it('enables auth last and disables it when the policy says so', () => {
    // Prepare
    const enabled = policyOf({ roles: { a: [prefix('/a/')] }, users: { root: ['root'], u: ['a'] } });
    const disabled = { ...enabled, auth: 'disabled' as const };
    const liveOn = simulate(EMPTY, planChanges(enabled, EMPTY));

    // Act
    const enabling = planChanges(enabled, EMPTY);
    const disabling = planChanges(disabled, liveOn);

    // Assess
    expect(enabling.at(-1)).toEqual({ op: 'enable-auth' });
    expect(enabling.filter((c) => c.op === 'enable-auth')).toHaveLength(1);
    expect(disabling).toEqual([{ op: 'disable-auth' }]);
  });
});

describe('assertPlanIsSafe', () => {
  it('refuses to enable auth when root would not hold the root role', () => {
    // Prepare: a hand-made policy object that skipped validation.
    const policy = policyOf({ users: { root: [] } });
    const changes = planChanges(policy, EMPTY);

    // Act
    const act = () => assertPlanIsSafe(EMPTY, changes);

    // Assess
    expect(act).toThrow(/refusing to enable auth: user "root" would not hold the root role/);
  });

  it('refuses a plan that takes root away from the identity applying it', () => {
    // Prepare
    const policy = policyOf({ users: { root: ['root'], admin: [] } });
    const live = liveOf({ authEnabled: true, users: { root: ['root'], admin: ['root'] } });
    const changes = planChanges(policy, live);

    // Act
    const asAdmin = () => assertPlanIsSafe(live, changes, 'admin');
    const asRoot = () => assertPlanIsSafe(live, changes, 'root');

    // Assess
    expect(changes).toEqual([{ op: 'revoke-role', user: 'admin', role: 'root' }]);
    expect(asAdmin).toThrow(/takes the root role away from "admin", the identity applying it/);
    expect(asRoot).not.toThrow();
  });

  it('refuses to enable auth when the applying identity would be locked out', () => {
    // Prepare
    const policy = policyOf({ users: { root: ['root'] } });
    const changes = planChanges(policy, EMPTY);

    // Act
    const act = () => assertPlanIsSafe(EMPTY, changes, 'deployer');

    // Assess
    expect(act).toThrow(/"deployer" .* would not hold the root role/);
  });

  it('refuses to enable v2 auth without a v2 root user, and a plan that locks the identity out of v2', () => {
    // Prepare: v2 served and empty; v3 already matches (auth on, root and admin with the root role).
    const v3 = { authEnabled: true, users: { root: ['root'], admin: ['root'] } };
    const live = withV2(liveOf(v3), { authEnabled: false });
    const v2Policy = policyOf({ apis: ['v3', 'v2'], users: { root: ['root'], admin: ['root'] } });
    const safe = planChanges(v2Policy, live);
    // A hand-made plan (a stored policy that skipped validation could ask for it): v2 auth alone.
    const authOnly: Change[] = [{ op: 'v2-enable-auth' }];
    const withoutAdmin = safe.filter((c) => !(c.op === 'v2-grant-role' && c.user === 'admin'));

    // Act
    const noRoot = () => assertPlanIsSafe(live, authOnly, 'root');
    const adminLockedOut = () => assertPlanIsSafe(live, withoutAdmin, 'admin');
    const asAdmin = () => assertPlanIsSafe(live, safe, 'admin');
    const asRoot = () => assertPlanIsSafe(live, withoutAdmin, 'root');

    // Assess
    expect(safe).toContainEqual({ op: 'v2-grant-role', user: 'admin', role: 'root' });
    expect(noRoot).toThrow(/^refusing to enable v2 auth: v2 user "root" would not hold the root role/);
    expect(adminLockedOut).toThrow(/with v2 auth enabled, "admin" .* would not hold the v2 root role/);
    expect(asAdmin).not.toThrow();
    expect(asRoot).not.toThrow();
  });

  it('refuses a plan that takes the v2 root role away from the identity applying it', () => {
    // Prepare
    const live = withV2(liveOf({ authEnabled: true, users: { root: ['root'], admin: ['root'] } }), {
      users: { root: ['root'], admin: ['root'] },
    });
    const changes: Change[] = [{ op: 'v2-revoke-role', user: 'admin', role: 'root' }];

    // Act
    const act = () => assertPlanIsSafe(live, changes, 'admin');

    // Assess
    expect(act).toThrow(/takes the v2 root role away from "admin", the identity applying it/);
  });

  it('lets a v2 teardown pass: v2 auth goes off before its users go', () => {
    // Prepare
    const live = withV2(liveOf({ authEnabled: true, users: { root: ['root'] } }), {
      users: { root: ['root'] },
    });
    const teardown = planChanges(policyOf({ prune: true }), live);

    // Act
    const act = () => assertPlanIsSafe(live, teardown, 'root');

    // Assess
    expect(teardown).toEqual([{ op: 'v2-disable-auth' }, { op: 'v2-delete-user', user: 'root' }]);
    expect(act).not.toThrow();
  });

  it('switches auth off before it removes anyone, so the identity applying it is never stranded', () => {
    // Prepare: auth on, an admin identity the policy no longer declares, auth off in the policy.
    const live = liveOf({ authEnabled: true, users: { root: ['root'], admin: ['root'] } });
    const policy = policyOf({ auth: 'disabled', prune: true, users: { root: ['root'] } });
    const v2Live = withV2(live, { users: { root: ['root'], admin: ['root'] } });
    const v2Policy = policyOf({ apis: ['v2'], auth: 'disabled', prune: true, users: { root: ['root'] } });

    // Act
    const v3 = planChanges(policy, live);
    const v2 = planChanges(v2Policy, v2Live);

    // Assess
    expect(v3).toEqual([{ op: 'disable-auth' }, { op: 'delete-user', user: 'admin' }]);
    expect(v2).toEqual([{ op: 'v2-disable-auth' }, { op: 'v2-delete-user', user: 'admin' }]);
    expect(() => assertPlanIsSafe(live, v3, 'admin')).not.toThrow();
  });

  it('lets a plan pass when auth stays off', () => {
    // Prepare
    const policy = policyOf({ users: { root: [] }, auth: 'disabled' });

    // Act
    const act = () => assertPlanIsSafe(EMPTY, planChanges(policy, EMPTY), 'anyone');

    // Assess
    expect(act).not.toThrow();
  });
});
