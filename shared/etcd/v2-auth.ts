// etcd's v2 auth store over its HTTP API: reading roles, users and whether auth is on, and sending
// one planned v2 change. v2 has no password-less users, so each new user gets a random password
// of 32 bytes drawn when it is created, sent once to etcd and kept nowhere: the user is reached
// by its certificate only. v2 creates a user and grants its roles in two requests.
import { WardenError } from '../errors.js';
import { ROOT } from '../policy/types.js';
import type { V2Change } from '../rbac/change.js';
import type { V2LiveState, V2RolePaths } from '../rbac/v2-live-state.js';
import type { V2Answer, V2Http } from './v2-http.js';

/** Bytes of randomness in a v2 user's password. */
export const V2_PASSWORD_BYTES = 32;

export type RandomBytes = (size: number) => Buffer;

interface V2RoleJson {
  role: string;
  permissions?: { kv?: { read?: string[] | null; write?: string[] | null } };
}

const reason = (answer: V2Answer): string => {
  const message = (answer.body as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message.slice(0, 200) : `HTTP ${answer.status}`;
};

function failure(doing: string, answer: V2Answer): WardenError {
  if (answer.status === 401 || answer.status === 403) {
    return new WardenError(
      'forbidden',
      `etcd's v2 API refused ${doing}: the client certificate's CN must be the v2 root user`,
    );
  }
  return new WardenError('conflict', `etcd's v2 API refused ${doing}: ${reason(answer)}`);
}

const pathsOf = (role: V2RoleJson): V2RolePaths => ({
  read: [...(role.permissions?.kv?.read ?? [])],
  write: [...(role.permissions?.kv?.write ?? [])],
});

/** The v2 store, or undefined when etcd does not serve v2 (started without --enable-v2). */
export async function readV2State(http: V2Http): Promise<V2LiveState | undefined> {
  const enabled = await http.call('GET', '/v2/auth/enable');
  if (enabled.status === 404) return undefined;
  if (enabled.status !== 200) throw failure('reading whether v2 auth is on', enabled);
  const [roles, users] = await Promise.all([
    http.call('GET', '/v2/auth/roles'),
    http.call('GET', '/v2/auth/users'),
  ]);
  if (roles.status !== 200) throw failure('listing v2 roles', roles);
  if (users.status !== 200) throw failure('listing v2 users', users);
  const roleList = ((roles.body as { roles?: V2RoleJson[] | null }).roles ?? []).filter(
    (r) => r.role !== ROOT,
  );
  const userList =
    (users.body as { users?: { user: string; roles?: (V2RoleJson | string)[] | null }[] | null }).users ?? [];
  return {
    authEnabled: (enabled.body as { enabled?: boolean }).enabled === true,
    roles: new Map(roleList.map((r) => [r.role, pathsOf(r)])),
    users: new Map(
      userList.map((u) => [u.user, (u.roles ?? []).map((r) => (typeof r === 'string' ? r : r.role))]),
    ),
  };
}

const kv = (access: 'read' | 'write', path: string) => ({ kv: { [access]: [path] } });

/** Sends one change; a change whose result is already there (a retry after a lost answer) is done. */
export async function applyV2Change(http: V2Http, change: V2Change, randomBytes: RandomBytes): Promise<void> {
  const put = (path: string, body: unknown) => http.call('PUT', path, body);
  const user = (name: string) => `/v2/auth/users/${encodeURIComponent(name)}`;
  const role = (name: string) => `/v2/auth/roles/${encodeURIComponent(name)}`;
  let answer: V2Answer;
  let done = (_: V2Answer) => false;
  switch (change.op) {
    case 'v2-add-role':
      answer = await put(role(change.role), { role: change.role });
      done = (a) => a.status === 409;
      break;
    case 'v2-grant-path':
      answer = await put(role(change.role), { role: change.role, grant: kv(change.access, change.path) });
      break;
    case 'v2-revoke-path':
      answer = await put(role(change.role), { role: change.role, revoke: kv(change.access, change.path) });
      break;
    case 'v2-add-user':
      answer = await put(user(change.user), {
        user: change.user,
        password: randomBytes(V2_PASSWORD_BYTES).toString('base64'),
      });
      done = (a) => a.status === 409;
      break;
    case 'v2-grant-role':
      answer = await put(user(change.user), { user: change.user, grant: [change.role] });
      break;
    case 'v2-revoke-role':
      answer = await put(user(change.user), { user: change.user, revoke: [change.role] });
      break;
    case 'v2-delete-user':
      answer = await http.call('DELETE', user(change.user));
      done = (a) => a.status === 404;
      break;
    case 'v2-delete-role':
      answer = await http.call('DELETE', role(change.role));
      done = (a) => a.status === 404;
      break;
    case 'v2-enable-auth':
      answer = await put('/v2/auth/enable', undefined);
      done = (a) => a.status === 409;
      break;
    case 'v2-disable-auth':
      answer = await http.call('DELETE', '/v2/auth/enable');
      done = (a) => a.status === 409;
      break;
  }
  if (answer.status >= 200 && answer.status < 300) return;
  if (done(answer)) return;
  throw failure(describeV2(change), answer);
}

const describeV2 = (change: V2Change): string =>
  'role' in change && 'user' in change
    ? `${change.op} ${change.role} for ${change.user}`
    : `${change.op}${'role' in change ? ` ${change.role}` : 'user' in change ? ` ${change.user}` : ''}`;
