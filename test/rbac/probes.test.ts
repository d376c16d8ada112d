// verify's probes and expectations, computed from the policy alone (no etcd here), and the
// access matrix; import's text for a given live state.
import { describe, expect, it } from 'vitest';
import { loadPolicy } from '../../shared/policy/load.js';
import { importPolicy } from '../../shared/rbac/import.js';
import { planChanges } from '../../shared/rbac/plan.js';
import { covered, planProbes } from '../../shared/rbac/probes.js';
import { simulate } from '../../shared/rbac/simulate.js';
import { formatMatrix, mismatches } from '../../shared/rbac/verify.js';
import { EMPTY, examplePolicy, liveOf, livePerm, withV2 } from './policy-fixtures.js';

const probeLine = (p: {
  user: string;
  operation: string;
  where: string;
  key: Buffer;
  rangeEnd: Buffer;
  expected: boolean;
}) =>
  `${p.user} ${p.operation} ${p.where} ${p.key.toString('latin1')}..${p.rangeEnd.toString('latin1')} ${p.expected ? 'allowed' : 'refused'}`;

describe('planProbes', () => {
  it('probes inside each grant and just outside it, for the Calico + Kubernetes split', () => {
    // Prepare
    const policy = examplePolicy('calico-kubernetes-simple.yaml');

    // Act
    const lines = planProbes(policy).map(probeLine);

    // Assess
    expect(lines).toEqual(
      expect.arrayContaining([
        'calico read inside /calico/../calico0 allowed',
        'calico write inside /calico/../calico0 allowed',
        'calico read inside /calico/etcd-warden-probe.. allowed',
        'calico read past the end /calico0.. refused',
        'calico write sibling /calico-etcd-warden-probe.. refused',
        'calico read parent /..0 refused',
        'calico write key space root /.. refused',
        'calico read whole key space \u0000..\u0000 refused',
        'kube-apiserver read whole key space \u0000..\u0000 allowed',
        'kube-apiserver write sibling /registry-etcd-warden-probe.. allowed',
        'root write whole key space \u0000..\u0000 allowed',
      ]),
    );
  });

  it('expects exactly the access a read-only key grant gives', () => {
    // Prepare
    const { policy } = loadPolicy(
      'version: 1\nroles:\n  health:\n    - { key: /health, access: read }\nusers:\n  root:\n    roles: [root]\n  probe:\n    roles: [health]\n',
      'p.yaml',
    );

    // Act
    const lines = planProbes(policy as NonNullable<typeof policy>)
      .filter((p) => p.user === 'probe')
      .map(probeLine);

    // Assess
    expect(lines).toEqual([
      'probe read inside /health.. allowed',
      'probe write inside /health.. refused',
      'probe read sibling /health-etcd-warden-probe.. refused',
      'probe write sibling /health-etcd-warden-probe.. refused',
      'probe read parent /..0 refused',
      'probe write parent /..0 refused',
      'probe read key space root /.. refused',
      'probe write key space root /.. refused',
      'probe read whole key space \u0000..\u0000 refused',
      'probe write whole key space \u0000..\u0000 refused',
    ]);
  });
});

describe('covered', () => {
  it('merges adjacent grants the way etcd merges a user’s permissions', () => {
    // Prepare
    const perms = [
      livePerm('/a', '/m', 'read'),
      livePerm('/m', '/z', 'readwrite'),
      livePerm('/q', '', 'write'),
    ];

    // Act + Assess
    expect(covered(perms, 'read', Buffer.from('/b'), Buffer.from('/y'))).toBe(true);
    expect(covered(perms, 'read', Buffer.from('/b'), Buffer.from('/zz'))).toBe(false);
    expect(covered(perms, 'write', Buffer.from('/b'), Buffer.from('/n'))).toBe(false);
    expect(covered(perms, 'write', Buffer.from('/q'), Buffer.alloc(0))).toBe(true);
    expect(covered(perms, 'read', Buffer.from([0]), Buffer.from([0]))).toBe(false);
    expect(covered([livePerm('\u0000', '\u0000', 'read')], 'read', Buffer.from([0]), Buffer.from([0]))).toBe(
      true,
    );
  });
});

describe('formatMatrix', () => {
  it('lines up read and write per user and span, and flags every mismatch', () => {
    // Prepare
    const policy = examplePolicy('calico-kubernetes-simple.yaml');
    const results = planProbes(policy).map((p) => ({
      ...p,
      actual: p.user === 'calico' && p.where === 'sibling' ? true : p.expected,
    }));

    // Act
    const text = formatMatrix(results, false);

    // Assess
    expect(mismatches(results)).toHaveLength(2);
    expect(text).toMatch(/^user +probe +keys +read +write$/m);
    expect(text).toMatch(/^calico +sibling +key "\/calico-etcd-warden-probe" +allowed! +allowed!$/m);
    expect(text).toMatch(
      /^MISMATCH: 2 of \d+ probes differ from the policy \(marked "!"\): calico read key "\/calico-etcd-warden-probe" allowed, policy says refused; /m,
    );
  });
});

describe('importPolicy', () => {
  it('writes prefix, key and range forms, a policy that loads and plans empty against its source', () => {
    // Prepare
    const live = liveOf({
      authEnabled: true,
      roles: {
        app: [
          livePerm('/app/', '/app0', 'readwrite'),
          livePerm('/health', '', 'read'),
          livePerm('/a/', '/b/', 'write'),
        ],
        empty: [],
      },
      users: { root: ['root'], svc: ['empty', 'app'] },
    });

    // Act
    const { text } = importPolicy(live, {
      endpoints: 'https://127.0.0.1:2379',
      now: new Date('2026-01-02T03:04:05Z'),
    });
    const { policy, diagnostics } = loadPolicy(text, 'imported.yaml');

    // Assess
    expect(text).toBe(`# Imported by etcd-warden from https://127.0.0.1:2379 on 2026-01-02T03:04:05.000Z.
# Review it, then add ca, members, templates and certificate settings.

version: 1
auth: enabled
prune: false
roles:
  app:
    - {prefix: /app/, access: readwrite}
    - {key: /health, access: read}
    - {range: {from: /a/, to: /b/}, access: write}
  empty: []
users:
  root:
    roles: [root]
  svc:
    roles: [app, empty]
`);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(planChanges(policy as NonNullable<typeof policy>, live)).toEqual([]);
    expect(
      planChanges(
        policy as NonNullable<typeof policy>,
        simulate(EMPTY, planChanges(policy as NonNullable<typeof policy>, EMPTY)),
      ),
    ).toEqual([]);
  });

  it('adds v2 to apis when the v2 store matches v3, and the import plans empty against both stores', () => {
    // Prepare: what an apply with apis [v3, v2] leaves (the guest role made empty).
    const v3 = liveOf({
      authEnabled: true,
      roles: { calico: [livePerm('/calico/', '/calico0', 'readwrite'), livePerm('/flag', '', 'read')] },
      users: { root: ['root'], calico: ['calico'] },
    });
    const live = {
      ...v3,
      v2: {
        authEnabled: true,
        roles: new Map([
          ['calico', { read: ['/calico/*', '/flag'], write: ['/calico/*'] }],
          ['guest', { read: [], write: [] }],
        ]),
        users: new Map([
          ['root', ['root']],
          ['calico', ['calico']],
        ]),
      },
    };

    // Act
    const { text } = importPolicy(live, { endpoints: 'x', now: new Date(0) });
    const { policy, diagnostics } = loadPolicy(text, 'imported.yaml');

    // Assess
    expect(text).toContain('apis: [v3, v2]\n');
    expect(text).not.toContain('guest');
    expect(text).not.toContain('differ');
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(planChanges(policy as NonNullable<typeof policy>, live)).toEqual([]);
  });

  it('imports a v2-only store as apis [v2], PREFIX* as a prefix and any other path as a key', () => {
    // Prepare
    const live = {
      ...EMPTY,
      v2: {
        authEnabled: true,
        roles: new Map([
          ['app', { read: ['/app/*', '/health'], write: ['/app/*', '/jobs/*'] }],
          ['guest', { read: [], write: [] }],
        ]),
        users: new Map([
          ['root', ['root']],
          ['app', ['app']],
        ]),
      },
    };

    // Act
    const { text } = importPolicy(live, { endpoints: 'x', now: new Date(0) });
    const { policy } = loadPolicy(text, 'imported.yaml');

    // Assess
    expect(text).toContain(`auth: enabled
apis: [v2]
prune: false
roles:
  app:
    - {prefix: /app/, access: readwrite}
    - {key: /health, access: read}
    - {prefix: /jobs/, access: write}
users:
  app:
    roles: [app]
  root:
    roles: [root]
`);
    expect(planChanges(policy as NonNullable<typeof policy>, live)).toEqual([]);
  });

  it('lists in its opening comment where the v2 store differs from v3, which applying makes equal', () => {
    // Prepare: v2 drifted by hand: an extra path, a user only there, guest reopened, a role missing.
    const live = {
      ...liveOf({
        authEnabled: true,
        roles: { calico: [livePerm('/calico/', '/calico0', 'readwrite')], kube: [] },
        users: { root: ['root'], calico: ['calico'] },
      }),
      v2: {
        authEnabled: true,
        roles: new Map([
          ['calico', { read: ['/calico/*', '/registry/*'], write: ['/calico/*'] }],
          ['guest', { read: ['/*'], write: [] }],
        ]),
        users: new Map([
          ['root', ['root']],
          ['calico', []],
          ['intruder', ['calico']],
        ]),
      },
    };

    // Act
    const { text } = importPolicy(live, { endpoints: 'x', now: new Date(0) });

    // Assess
    expect(text.split('\n\n')[0]).toBe(`# Imported by etcd-warden from x on 1970-01-01T00:00:00.000Z.
# Review it, then add ca, members, templates and certificate settings.
# Where etcd's stores say what one policy cannot:
#   - role "calico" grants other paths in v2 than in v3; applying gives v2 the v3 permissions
#   - user "calico" holds other roles in v2 (none); applying gives it the v3 roles
#   - role "kube" is not in v2; applying creates it there
#   - user "intruder" is only in v2: left out of this file, and left in v2 as it is (prune: false)
#   - v2 role guest grants read "/*" to every request without a user; applying with auth enabled empties it`);
    // v2 and v3 keys are apart: what only v2 grants is never carried into v3.
    expect(text).not.toContain('intruder:');
    expect(text).toContain('apis: [v3, v2]\n');
    expect(text).toContain('    - {prefix: /calico/, access: readwrite}\n  kube: []\n');
  });

  it('quotes the names etcd holds in its opening comment: a line break in one cannot add YAML', () => {
    // Prepare: names only v2 holds, with line breaks (CR alone, CRLF, LF) that would end a comment.
    const live = withV2(liveOf({ authEnabled: true, roles: { app: [] }, users: { root: ['root'] } }), {
      roles: { 'evil\rauth: disabled': { read: ['/a*'], write: [] } },
      users: { root: ['root'], 'u\r\nprune: true': [], 'v\nca: {}': [] },
    });

    // Act
    const { text } = importPolicy(live, { endpoints: 'x', now: new Date(0) });
    const { policy, diagnostics } = loadPolicy(text, 'imported.yaml');

    // Assess
    expect(text).toContain('#   - role "evil\\rauth: disabled" is only in v2');
    expect(text).toContain('#   - user "u\\r\\nprune: true" is only in v2');
    expect(text.split(/\r\n|\r|\n/).filter((l) => l.startsWith('#'))).toHaveLength(7);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(policy).toMatchObject({ auth: 'enabled', prune: false });
  });

  it('says what applying does to v2 auth when the stores disagree, and leaves v2 out when v3 holds a range', () => {
    // Prepare
    const v2 = { authEnabled: true, roles: new Map(), users: new Map([['root', ['root']]]) };
    const authOff = { ...liveOf({ roles: { app: [] }, users: { root: ['root'] } }), v2 };
    const withRange = {
      ...liveOf({
        authEnabled: true,
        roles: { app: [livePerm('/a/', '/b/', 'read')] },
        users: { root: ['root'] },
      }),
      v2,
    };

    // Act
    const off = importPolicy(authOff, { endpoints: 'x', now: new Date(0) });
    const range = importPolicy(withRange, { endpoints: 'x', now: new Date(0) });
    const { policy, diagnostics } = loadPolicy(range.text, 'imported.yaml');

    // Assess
    expect(off.text).toContain(
      '#   - v2 auth is on while v3 auth is off; auth follows v3 here, so applying turns v2 auth off\n',
    );
    expect(range.text).toContain(
      '#   - v2 is left out of apis, so etcd-warden leaves its store as it is: role "app" grants a range, which v2 cannot express\n',
    );
    expect(range.text).not.toContain('apis:');
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(planChanges(policy as NonNullable<typeof policy>, withRange)).toEqual([]);
    expect(range).toMatchObject({ roles: 1, users: 1 });
  });

  it('refuses key bytes a text policy cannot hold', () => {
    // Prepare
    const live = liveOf({
      roles: { bin: [{ key: Buffer.from([0x2f, 0xff, 0xfe]), rangeEnd: Buffer.alloc(0), access: 'read' }] },
    });

    // Act
    const act = () => importPolicy(live, { endpoints: 'x', now: new Date(0) });

    // Assess
    expect(act).toThrow(/role "bin" has a permission on key bytes that are not UTF-8 text \(2ffffe\)/);
  });
});
