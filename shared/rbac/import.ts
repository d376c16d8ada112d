// `import`: a policy file that declares exactly what a live cluster holds, so an existing
// hand-made setup can be brought under etcd-warden. Ranges read back in the most readable form:
// a prefix when range_end is the prefix end, a key for a single key, a range otherwise.
import { Document, isScalar, isSeq, visit } from 'yaml';
import { WardenError } from '../errors.js';
import { fromEtcdRange } from '../policy/keyspan.js';
import type { KeySpan } from '../policy/types.js';
import type { LivePermission, LiveState } from './live-state.js';

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

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

export function importPolicy(live: LiveState, source: { endpoints: string; now: Date }): string {
  // fromEntries defines own keys, so a live role named "__proto__" stays a role.
  const roles = Object.fromEntries(
    [...live.roles.keys()]
      .sort(byName)
      .map((name) => [name, (live.roles.get(name) ?? []).map((p) => permissionEntry(p, name))]),
  );
  const users = Object.fromEntries(
    [...live.users.keys()]
      .sort(byName)
      .map((name) => [name, { roles: [...(live.users.get(name) ?? [])].sort(byName) }]),
  );
  const doc = new Document({
    version: 1,
    auth: live.authEnabled ? 'enabled' : 'disabled',
    prune: false,
    roles,
    users,
  });
  doc.commentBefore = ` Imported by etcd-warden from ${source.endpoints} on ${source.now.toISOString()}.\n Review it, then add ca, members, templates and certificate settings.`;
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
