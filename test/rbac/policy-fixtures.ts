// Policies built in memory for planner tests, and the live state etcd would report for them.
import { readFileSync } from 'node:fs';
import { loadPolicy } from '../../shared/policy/load.js';
import type { KeySpan, Permission, Policy, Template } from '../../shared/policy/types.js';
import type { LivePermission, LiveState } from '../../shared/rbac/live-state.js';
import type { V2RolePaths } from '../../shared/rbac/v2-live-state.js';

export const EXAMPLES = new URL('../../examples/', import.meta.url);

export function examplePolicy(name: string): Policy {
  const file = new URL(name, EXAMPLES);
  const { policy, diagnostics } = loadPolicy(readFileSync(file, 'utf8'), file.pathname);
  if (!policy) throw new Error(`example ${name} does not load: ${JSON.stringify(diagnostics)}`);
  return policy;
}

export const prefix = (p: string, access: Permission['access'] = 'readwrite'): Permission => ({
  span: { type: 'prefix', prefix: p },
  access,
});
export const key = (k: string, access: Permission['access'] = 'read'): Permission => ({
  span: { type: 'key', key: k },
  access,
});
export const range = (from: string, to: string, access: Permission['access'] = 'read'): Permission => ({
  span: { type: 'range', from, to } satisfies KeySpan,
  access,
});

export function policyOf(parts: {
  roles?: Record<string, Permission[]>;
  users?: Record<string, string[]>;
  templates?: Record<string, Pick<Template, 'user' | 'roles'>>;
  prune?: boolean;
  auth?: Policy['auth'];
  apis?: Policy['apis'];
}): Policy {
  return {
    version: 1,
    presets: [],
    auth: parts.auth ?? 'enabled',
    apis: parts.apis ?? ['v3'],
    prune: parts.prune ?? false,
    ca: {
      commonName: 'test CA',
      key: 'ecdsa-p256',
      validitySeconds: 86_400,
      maxTtlSeconds: 86_400,
      revoked: [],
    },
    roles: Object.fromEntries(
      Object.entries(parts.roles ?? {}).map(([name, permissions]) => [name, { name, permissions }]),
    ),
    users: Object.fromEntries(
      Object.entries(parts.users ?? { root: ['root'] }).map(([name, roles]) => [name, { name, roles }]),
    ),
    members: {},
    templates: Object.fromEntries(
      Object.entries(parts.templates ?? {}).map(([name, t]) => [name, { name, ...t }]),
    ),
  };
}

export const livePerm = (
  k: string,
  end: string | Buffer,
  access: LivePermission['access'],
): LivePermission => ({
  key: Buffer.from(k),
  rangeEnd: Buffer.isBuffer(end) ? end : Buffer.from(end),
  access,
});

export function liveOf(parts: {
  roles?: Record<string, LivePermission[]>;
  users?: Record<string, string[]>;
  authEnabled?: boolean;
}): LiveState {
  return {
    authEnabled: parts.authEnabled ?? false,
    roles: new Map(Object.entries(parts.roles ?? {})),
    users: new Map(Object.entries(parts.users ?? {})),
  };
}

export const EMPTY: LiveState = liveOf({});

/** `live` with a v2 store beside it (v2 auth on unless said otherwise). */
export function withV2(
  live: LiveState,
  v2: { authEnabled?: boolean; roles?: Record<string, V2RolePaths>; users?: Record<string, string[]> },
): LiveState {
  return {
    ...live,
    v2: {
      authEnabled: v2.authEnabled ?? true,
      roles: new Map(Object.entries(v2.roles ?? {})),
      users: new Map(Object.entries(v2.users ?? {})),
    },
  };
}
