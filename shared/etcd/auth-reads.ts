// The five questions reading etcd's auth state asks, answered either by the etcd3 client or
// straight over HTTP/2 (grpc-channel.ts). The reader in read-auth-state.ts works with either.
import type { Etcd3, IPermission } from 'etcd3';
import type { Access } from '../policy/types.js';
import type { LivePermission } from '../rbac/live-state.js';
import { loadEtcd3 } from './etcd3-runtime.js';
import { type GrpcChannel, GrpcCode, GrpcStatusError } from './grpc-channel.js';
import { decodeFields, encodeMessage, repeatedBytes } from './protobuf-wire.js';

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

export function etcd3AuthReads(client: Etcd3): AuthReads {
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
    rolePermissions: async (role) =>
      (await client.auth.roleGet({ role })).perm.map((p) => ({
        key: Buffer.from(p.key ?? []),
        rangeEnd: Buffer.from(p.range_end ?? []),
        access: ACCESS[p.permType],
      })),
    userRoles: async (name) => (await client.auth.userGet({ name })).roles,
  };
}

// authpb.Permission.Type, by number.
const WIRE_ACCESS: readonly Access[] = ['read', 'write', 'readwrite'];
const EMPTY = Buffer.alloc(0);
const AUTH = '/etcdserverpb.Auth/';

/** A Permission message: permType = 1, key = 2, range_end = 3. */
function decodePermission(message: Buffer): LivePermission {
  let access: Access = 'read';
  let key = EMPTY;
  let rangeEnd = EMPTY;
  for (const [field, value] of decodeFields(message)) {
    if (field === 1 && typeof value === 'number') {
      const known = WIRE_ACCESS[value];
      if (!known) throw new Error(`unknown etcd permission type ${value}`);
      access = known;
    }
    // Copies: the answer's buffer is not kept alive by the live state.
    if (field === 2 && Buffer.isBuffer(value)) key = Buffer.from(value);
    if (field === 3 && Buffer.isBuffer(value)) rangeEnd = Buffer.from(value);
  }
  return { key, rangeEnd, access };
}

/** Every answer here lists its names or permissions in field 2 (field 1 is the header). */
const listed = (answer: Buffer): Buffer[] => repeatedBytes(answer, 2);
const names = (answer: Buffer): string[] => listed(answer).map((b) => b.toString('utf8'));

export function wireAuthReads(channel: GrpcChannel): AuthReads {
  return {
    async authEnabled() {
      try {
        const status = decodeFields(await channel.unary(`${AUTH}AuthStatus`, EMPTY));
        return status.some(([field, value]) => field === 2 && value === 1);
      } catch (error) {
        if (!(error instanceof GrpcStatusError && error.code === GrpcCode.UNIMPLEMENTED)) throw error;
      }
      const request = encodeMessage([
        [1, PROBE_NAME],
        [2, '\u0000'],
      ]);
      return channel.unary(`${AUTH}Authenticate`, request).then(() => true, authEnabledFromAuthenticate);
    },
    roleNames: async () => names(await channel.unary(`${AUTH}RoleList`, EMPTY)),
    userNames: async () => names(await channel.unary(`${AUTH}UserList`, EMPTY)),
    rolePermissions: async (role) =>
      listed(await channel.unary(`${AUTH}RoleGet`, encodeMessage([[1, role]]))).map(decodePermission),
    userRoles: async (user) => names(await channel.unary(`${AUTH}UserGet`, encodeMessage([[1, user]]))),
  };
}
