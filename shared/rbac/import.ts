// `import`: a policy file that declares exactly what a live cluster holds, so an existing
// hand-made setup can be brought under etcd-warden. Ranges read back in the most readable form:
// a prefix when range_end is the prefix end, a key for a single key, a range otherwise.
// A v2 auth store with content adds v2 to `apis`. A policy gives both stores the same roles and
// users, so what only v2 holds is imported too, and each place where the two stores differ (which
// applying the file would make equal) is listed in the file's opening comment.
import { Document, isScalar, isSeq, visit } from 'yaml';
import { WardenError } from '../errors.js';
import { fromEtcdRange } from '../policy/keyspan.js';
import { type Access, type KeySpan, ROOT, V2_GUEST } from '../policy/types.js';
import type { LivePermission, LiveState } from './live-state.js';
import { byName } from './plan-steps.js';
import { type V2LiveState, type V2RolePaths, v2HasContent } from './v2-live-state.js';

// A policy holds text; a key that is not valid UTF-8 would change if written and read back.
function textOf(bytes: Buffer, role: string): string {
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) {
    throw new WardenError(
      'invalid-input',
      `role "${role}" has a permission on key bytes that are not UTF-8 text (${bytes.toString('hex')}); a policy file cannot express it`,
    );
  }
  return text;
}

function permissionEntry(p: LivePermission, role: string): Record<string, unknown> {
  textOf(p.key, role);
  textOf(p.rangeEnd, role);
  const span: KeySpan = fromEtcdRange(p);
  const target =
    span.type === 'prefix'
      ? { prefix: span.prefix }
      : span.type === 'key'
        ? { key: span.key }
        : { range: span.to === '' ? { from: span.from } : { from: span.from, to: span.to } };
  return { ...target, access: p.access };
}

/** A v2 role's globs as policy permissions: `PREFIX*` a prefix, any other path one key. */
function v2PermissionEntries(paths: V2RolePaths): Record<string, unknown>[] {
  const access = new Map<string, Access>();
  for (const path of paths.read) access.set(path, 'read');
  for (const path of paths.write) access.set(path, access.has(path) ? 'readwrite' : 'write');
  return [...access.keys()].sort(byName).map((path) => ({
    ...(path.endsWith('*') ? { prefix: path.slice(0, -1) } : { key: path }),
    access: access.get(path),
  }));
}

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort(byName).every((x, i) => x === [...b].sort(byName)[i]);

/** v2's paths for v3's permissions, as the planner makes them; undefined where v2 cannot say it. */
function v2PathsOf(permissions: readonly LivePermission[]): V2RolePaths | undefined {
  const read: string[] = [];
  const write: string[] = [];
  for (const p of permissions) {
    const span = fromEtcdRange(p);
    if (span.type === 'range') return undefined;
    const path = span.type === 'prefix' ? `${span.prefix}*` : span.key;
    if (p.access !== 'write') read.push(path);
    if (p.access !== 'read') write.push(path);
  }
  return { read, write };
}

/** Where the two stores differ: each line says what v2 holds and what applying the file does. */
function v2Differences(live: LiveState, v2: V2LiveState, withV3: boolean): string[] {
  const notes: string[] = [];
  if (withV3 && v2.authEnabled !== live.authEnabled) {
    notes.push(
      `v2 auth is ${v2.authEnabled ? 'on' : 'off'} while v3 auth is ${live.authEnabled ? 'on' : 'off'}`,
    );
  }
  const guest = v2.roles.get(V2_GUEST);
  if (guest && guest.read.length + guest.write.length > 0) {
    notes.push(
      `v2 role guest grants ${[...guest.read.map((p) => `read ${p}`), ...guest.write.map((p) => `write ${p}`)].join(', ')} to every request without a user; applying with auth enabled empties it`,
    );
  }
  if (!withV3) return notes;
  for (const [role, paths] of [...v2.roles].sort(([a], [b]) => byName(a, b))) {
    const v3 = live.roles.get(role);
    if (role === V2_GUEST || !v3) continue;
    const want = v2PathsOf(v3);
    if (!want || !sameList(want.read, paths.read) || !sameList(want.write, paths.write)) {
      notes.push(`role ${role} grants other paths in v2 than in v3; applying gives v2 the v3 permissions`);
    }
  }
  for (const [user, held] of [...v2.users].sort(([a], [b]) => byName(a, b))) {
    const v3 = live.users.get(user);
    // v2 lists the root role for root whatever was granted; v3 too once auth is on.
    const compare = (roles: readonly string[]) => roles.filter((r) => !(user === ROOT && r === ROOT));
    if (v3 && !sameList(compare(v3), compare(held))) {
      notes.push(
        `user ${user} holds other roles in v2 (${held.join(', ') || 'none'}); applying gives it the v3 roles`,
      );
    }
  }
  const v3Only = (names: Iterable<string>, inV2: ReadonlyMap<string, unknown>, what: string) =>
    [...names]
      .filter((n) => n !== ROOT && !inV2.has(n))
      .map((n) => `${what} ${n} is not in v2; applying creates it there`);
  notes.push(...v3Only(live.roles.keys(), v2.roles, 'role'), ...v3Only(live.users.keys(), v2.users, 'user'));
  for (const [names, inV3, what] of [
    [v2.roles.keys(), live.roles, 'role'],
    [v2.users.keys(), live.users, 'user'],
  ] as const) {
    for (const name of [...names].sort(byName)) {
      if (name !== ROOT && name !== V2_GUEST && !inV3.has(name))
        notes.push(`${what} ${name} is only in v2; applying creates it in v3 too`);
    }
  }
  return notes;
}

export function importPolicy(live: LiveState, source: { endpoints: string; now: Date }): string {
  const v2 = live.v2 && v2HasContent(live.v2) ? live.v2 : undefined;
  const withV3 = !v2 || live.authEnabled || live.roles.size > 0 || live.users.size > 0;
  // fromEntries defines own keys, so a live role named "__proto__" stays a role.
  const roles = Object.fromEntries([
    ...(withV3 ? [...live.roles.keys()] : [])
      .sort(byName)
      .map((name) => [name, (live.roles.get(name) ?? []).map((p) => permissionEntry(p, name))]),
    ...[...(v2?.roles.keys() ?? [])]
      .filter((name) => name !== V2_GUEST && !(withV3 && live.roles.has(name)))
      .sort(byName)
      .map((name) => [name, v2PermissionEntries(v2?.roles.get(name) ?? { read: [], write: [] })]),
  ]);
  const users = Object.fromEntries([
    ...(withV3 ? [...live.users.keys()] : [])
      .sort(byName)
      .map((name) => [name, { roles: [...(live.users.get(name) ?? [])].sort(byName) }]),
    ...[...(v2?.users.keys() ?? [])]
      .filter((name) => !(withV3 && live.users.has(name)))
      .sort(byName)
      .map((name) => [name, { roles: [...(v2?.users.get(name) ?? [])].sort(byName) }]),
  ]);
  const authEnabled = withV3 ? live.authEnabled : v2?.authEnabled === true;
  const doc = new Document({
    version: 1,
    auth: authEnabled ? 'enabled' : 'disabled',
    ...(v2 ? { apis: withV3 ? ['v3', 'v2'] : ['v2'] } : {}),
    prune: false,
    roles,
    users,
  });
  const differences = v2 ? v2Differences(live, v2, withV3) : [];
  doc.commentBefore = [
    ` Imported by etcd-warden from ${source.endpoints} on ${source.now.toISOString()}.`,
    ' Review it, then add ca, members, templates and certificate settings.',
    ...(differences.length > 0
      ? [
          " etcd's v2 and v3 auth stores differ; one policy sets both alike:",
          ...differences.map((d) => `   - ${d}`),
        ]
      : []),
  ].join('\n');
  // One permission or one role list per line, the way the examples are written.
  visit(doc, {
    Map: (_, node, path) => {
      if (isSeq(path.at(-1))) node.flow = true;
    },
    Seq: (_, node) => {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
