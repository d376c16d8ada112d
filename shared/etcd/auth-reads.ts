// The five questions reading etcd's auth state asks, through etcd3's raw auth client (its Role and
// User wrappers add a call per question and, for permissions, lose nothing we need either).
import type { Etcd3, IPermission } from 'etcd3';
import type { Access } from '../policy/types.js';
import type { LivePermission } from '../rbac/live-state.js';
import { loadEtcd3 } from './etcd3-runtime.js';

export interface AuthReads {
  authEnabled(): Promise<boolean>;
  roleNames(): Promise<string[]>;
  userNames(): Promise<string[]>;
  rolePermissions(role: string): Promise<LivePermission[]>;
  userRoles(user: string): Promise<string[]>;
}

/** Authenticate with this name: no user has it, so it never succeeds and leaves nothing behind. */
const PROBE_NAME = '\u0000etcd-warden-probe';

/**
 * etcd 3.4 has no AuthStatus. There, Authenticate with a name no user has says "authentication is
 * not enabled" when auth is off and fails without side effects (no token, no raft entry) when on.
 */
function authEnabledFromAuthenticate(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  if (/authentication is not enabled/.test(message)) return false;
  if (/authentication failed/.test(message)) return true;
  throw error;
}

const ACCESS: Record<IPermission['permType'], Access> = {
  Read: 'read',
  Write: 'write',
  Readwrite: 'readwrite',
};

export function authReads(client: Etcd3): AuthReads {
  return {
    async authEnabled() {
      try {
        const status = (await client.auth.authStatus()) as { enabled?: boolean };
        return status.enabled === true;
      } catch (error) {
        if (!(error instanceof (await loadEtcd3()).GRPCNotImplementedError)) throw error;
      }
      return client.auth
        .authenticate({ name: PROBE_NAME, password: '\u0000' })
        .then(() => true, authEnabledFromAuthenticate);
    },
    roleNames: async () => (await client.auth.roleList()).roles,
    userNames: async () => (await client.auth.userList()).users,
    // The exact key and range_end bytes: revoking a permission must send them back unchanged.
    rolePermissions: async (role) =>
      (await client.auth.roleGet({ role })).perm.map((p) => ({
        key: Buffer.from(p.key ?? []),
        rangeEnd: Buffer.from(p.range_end ?? []),
        access: ACCESS[p.permType],
      })),
    userRoles: async (name) => (await client.auth.userGet({ name })).roles,
  };
}
