// `import`: a policy file that declares exactly what a live cluster holds, so an existing
// hand-made setup can be brought under etcd-warden. Ranges read back in the most readable form:
// a prefix when range_end is the prefix end, a key for a single key, a range otherwise.
// With a v2 auth store that has content, `apis` names v2 too (importPolicy says when), and each
// place the two stores differ is listed in the file's opening comment with what applying does.
// Names and paths in that comment are quoted (JSON escapes): they come from etcd, and a line break
// in one must not end the comment.
import { Document, isScalar, isSeq, visit } from 'yaml';
import { WardenError } from '../errors.js';
import { quote } from '../policy/diagnostics.js';
import { fromEtcdRange } from '../policy/keyspan.js';
import { type Access, type KeySpan, ROOT, V2_GUEST } from '../policy/types.js';
import type { LivePermission, LiveState } from './live-state.js';
import { byName } from './plan-steps.js';
import { type V2LiveState, type V2RolePaths, v2HasContent } from './v2-live-state.js';
import { v2PathsOf } from './v2-plan.js';

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

const sameSet = (a: readonly string[], b: readonly string[]): boolean => {
  const inA = new Set(a);
  return inA.size === new Set(b).size && b.every((x) => inA.has(x));
};

/** v3's live permissions as the policy spans they read back as. */
const spansOf = (permissions: readonly LivePermission[]) =>
  permissions.map((p) => ({ span: fromEtcdRange(p), access: p.access }));

const names = (map: ReadonlyMap<string, unknown>): string[] => [...map.keys()].sort(byName);

/** Why the v3 store's content cannot be managed in v2 too (a policy with v2 would not validate). */
function v2CannotHold(live: LiveState): string | undefined {
  if (live.roles.has(V2_GUEST)) return 'a v3 role is named guest, which v2 reserves';
  for (const role of names(live.roles)) {
    if (spansOf(live.roles.get(role) ?? []).some(({ span }) => span.type === 'range'))
      return `role ${quote(role)} grants a range, which v2 cannot express`;
  }
  return undefined;
}

/** Where the two stores differ, each with what applying the file (apis [v3, v2]) does about it. */
function v2Differences(live: LiveState, v2: V2LiveState): string[] {
  const notes: string[] = [];
  if (v2.authEnabled !== live.authEnabled) {
    notes.push(
      `v2 auth is ${v2.authEnabled ? 'on' : 'off'} while v3 auth is ${live.authEnabled ? 'on' : 'off'}; auth follows v3 here, so applying turns v2 auth ${live.authEnabled ? 'on' : 'off'}`,
    );
  }
  for (const role of names(v2.roles)) {
    const v3 = live.roles.get(role);
    const paths = v2.roles.get(role) ?? { read: [], write: [] };
    if (role === V2_GUEST || !v3) continue;
    const want = v2PathsOf(spansOf(v3));
    if (!sameSet(want.read, paths.read) || !sameSet(want.write, paths.write)) {
      notes.push(
        `role ${quote(role)} grants other paths in v2 than in v3; applying gives v2 the v3 permissions`,
      );
    }
  }
  for (const user of names(v2.users)) {
    const v3 = live.users.get(user);
    const held = v2.users.get(user) ?? [];
    // v2 lists the root role for root whatever was granted; v3 too once auth is on.
    const compare = (roles: readonly string[]) => roles.filter((r) => !(user === ROOT && r === ROOT));
    if (v3 && !sameSet(compare(v3), compare(held))) {
      notes.push(
        `user ${quote(user)} holds other roles in v2 (${held.map(quote).join(', ') || 'none'}); applying gives it the v3 roles`,
      );
    }
  }
  for (const [what, v3Names, inV2] of [
    ['role', names(live.roles), v2.roles],
    ['user', names(live.users), v2.users],
  ] as const) {
    for (const name of v3Names) {
      if (!inV2.has(name)) notes.push(`${what} ${quote(name)} is not in v2; applying creates it there`);
    }
  }
  // v2 and v3 keys are apart: what v2 alone grants is not carried into v3, and prune: false
  // leaves it in v2 as it is.
  for (const [what, v2Names, inV3] of [
    ['role', names(v2.roles), live.roles],
    ['user', names(v2.users), live.users],
  ] as const) {
    for (const name of v2Names) {
      if (name !== V2_GUEST && !inV3.has(name)) {
        notes.push(
          `${what} ${quote(name)} is only in v2: left out of this file, and left in v2 as it is (prune: false)`,
        );
      }
    }
  }
  return notes;
}

/** What v2's guest role grants, when it grants anything: applying with auth enabled empties it. */
function guestNote(v2: V2LiveState): string[] {
  const guest = v2.roles.get(V2_GUEST);
  if (!guest || guest.read.length + guest.write.length === 0) return [];
  const grants = [
    ...guest.read.map((p) => `read ${quote(p)}`),
    ...guest.write.map((p) => `write ${quote(p)}`),
  ];
  return [
    `v2 role guest grants ${grants.join(', ')} to every request without a user; applying with auth enabled empties it`,
  ];
}

export interface ImportedPolicy {
  /** The policy file, its opening comment saying where it came from and what it could not say. */
  text: string;
  roles: number;
  users: number;
}

/**
 * The policy a live cluster holds. With v2 content: `apis: [v3, v2]` when v3's content can be
 * managed in v2 too, the v3 store's roles and users (v2's own are listed, not carried into v3);
 * `apis: [v2]` when v3 holds nothing; otherwise v3 alone. `notes` add lines to the comment.
 */
export function importPolicy(
  live: LiveState,
  source: { endpoints: string; now: Date; notes?: readonly string[] },
): ImportedPolicy {
  const v2 = v2HasContent(live.v2) ? live.v2 : undefined;
  const v3Empty = !live.authEnabled && live.roles.size === 0 && live.users.size === 0;
  const notes = [...(source.notes ?? [])];
  let apis: ('v3' | 'v2')[] | undefined;
  // fromEntries defines own keys, so a live role named "__proto__" stays a role.
  let roles: Record<string, unknown> = Object.fromEntries(
    names(live.roles).map((name) => [
      name,
      (live.roles.get(name) ?? []).map((p) => permissionEntry(p, name)),
    ]),
  );
  let users: Record<string, unknown> = Object.fromEntries(
    names(live.users).map((name) => [name, { roles: [...(live.users.get(name) ?? [])].sort(byName) }]),
  );
  let authEnabled = live.authEnabled;
  if (v2 && v3Empty) {
    apis = ['v2'];
    authEnabled = v2.authEnabled;
    roles = Object.fromEntries(
      names(v2.roles)
        .filter((name) => name !== V2_GUEST)
        .map((name) => [name, v2PermissionEntries(v2.roles.get(name) ?? { read: [], write: [] })]),
    );
    users = Object.fromEntries(
      names(v2.users).map((name) => {
        const held = v2.users.get(name) ?? [];
        if (held.includes(V2_GUEST)) {
          notes.push(
            `user ${quote(name)} holds v2's guest role, which a policy cannot name; applying takes it away`,
          );
        }
        return [name, { roles: held.filter((r) => r !== V2_GUEST).sort(byName) }];
      }),
    );
    notes.push(...guestNote(v2));
  } else if (v2) {
    const cannot = v2CannotHold(live);
    if (cannot) {
      notes.push(`v2 is left out of apis, so etcd-warden leaves its store as it is: ${cannot}`);
    } else {
      apis = ['v3', 'v2'];
      notes.push(...v2Differences(live, v2), ...guestNote(v2));
    }
  }
  const doc = new Document({
    version: 1,
    auth: authEnabled ? 'enabled' : 'disabled',
    ...(apis ? { apis } : {}),
    prune: false,
    roles,
    users,
  });
  doc.commentBefore = [
    ` Imported by etcd-warden from ${source.endpoints} on ${source.now.toISOString()}.`,
    ' Review it, then add ca, members, templates and certificate settings.',
    ...(notes.length > 0
      ? [" Where etcd's stores say what one policy cannot:", ...notes.map((d) => `   - ${d}`)]
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
  return {
    text: doc.toString({ lineWidth: 0, flowCollectionPadding: false }),
    roles: Object.keys(roles).length,
    users: Object.keys(users).length,
  };
}
