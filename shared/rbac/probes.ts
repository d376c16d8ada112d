// What `verify` asks etcd, and what the policy says etcd must answer. For each user: reads and
// writes inside every granted range, and just outside it (the first key past its end, which
// shares the prefix text; the parent; the key space root; the whole key space). Expectations
// are computed from the policy alone, the way etcd merges a user's permissions into intervals.
import { compareEnds, prefixRangeEnd } from '../policy/keyspan.js';
import { own } from '../policy/own.js';
import { type Access, type Policy, ROOT } from '../policy/types.js';
import { type LivePermission, permissionId } from './live-state.js';
import { desiredPermissions } from './plan.js';

export type Operation = 'read' | 'write';

export interface Probe {
  user: string;
  operation: Operation;
  key: Buffer;
  /** Empty: the single key. */
  rangeEnd: Buffer;
  /** Why this probe: "inside", "past the end", "parent", "key space root", "whole key space". */
  where: string;
  expected: boolean;
}

const WHOLE = Buffer.from([0]);
const grants = (access: Access, operation: Operation): boolean =>
  access === 'readwrite' || access === operation;

/** [start, end) with end null for "to the end", as etcd's permission intervals. */
function interval(key: Buffer, rangeEnd: Buffer): [Buffer, Buffer | null] {
  if (rangeEnd.length === 0) return [key, Buffer.concat([key, WHOLE])];
  if (rangeEnd.equals(WHOLE)) return [key.equals(WHOLE) ? Buffer.alloc(0) : key, null];
  return [key, rangeEnd];
}

/** Whether the union of the permissions granting `operation` covers the whole probed interval. */
export function covered(
  perms: readonly LivePermission[],
  operation: Operation,
  key: Buffer,
  rangeEnd: Buffer,
): boolean {
  const [start, end] = interval(key, rangeEnd);
  const spans = perms
    .filter((p) => grants(p.access, operation))
    .map((p) => interval(p.key, p.rangeEnd))
    .sort(([a], [b]) => Buffer.compare(a, b));
  let reach: Buffer = start;
  for (const [s, e] of spans) {
    if (Buffer.compare(s, reach) > 0) break;
    if (compareEnds(e, reach) > 0) reach = e ?? reach;
    if (e === null || (end !== null && Buffer.compare(reach, end) >= 0)) return true;
  }
  return end !== null && Buffer.compare(reach, end) >= 0;
}

/** The key a single-key probe inside a range uses: the range's first key, or a child of a prefix. */
const insideKey = (p: LivePermission): Buffer =>
  p.rangeEnd.length === 0
    ? p.key
    : p.rangeEnd.equals(prefixRangeEnd(p.key))
      ? Buffer.concat([p.key, Buffer.from('etcd-warden-probe')])
      : p.key;

/** The directory enclosing a key, as a prefix: "/calico/ipam/v2/" → "/calico/ipam/", "/health" → "/". */
function parentOf(key: Buffer): Buffer | undefined {
  const text = key.toString('latin1').replace(/\/$/, '');
  const cut = text.lastIndexOf('/');
  return cut >= 0 ? Buffer.from(text.slice(0, cut + 1), 'latin1') : undefined;
}

/** A key outside the span that shares its text: "/calico/" → "/calico-etcd-warden-probe". */
function siblingOf(p: LivePermission): Buffer | undefined {
  const text = p.key.toString('latin1');
  if (p.rangeEnd.length === 0) return Buffer.from(`${text}-etcd-warden-probe`, 'latin1');
  if (text.endsWith('/') && p.rangeEnd.equals(prefixRangeEnd(p.key))) {
    return Buffer.from(`${text.slice(0, -1)}-etcd-warden-probe`, 'latin1');
  }
  return undefined;
}

export function effectivePermissions(
  policy: Policy,
  user: string,
): { root: boolean; perms: LivePermission[] } {
  const roles = own(policy.users, user)?.roles ?? [];
  const perms = new Map<string, LivePermission>();
  for (const role of roles)
    for (const p of desiredPermissions(policy, role).values()) perms.set(`${role}:${permissionId(p)}`, p);
  return { root: roles.includes(ROOT), perms: [...perms.values()] };
}

export function planProbes(policy: Policy): Probe[] {
  const probes: Probe[] = [];
  for (const user of Object.keys(policy.users).sort()) {
    const { root, perms } = effectivePermissions(policy, user);
    const seen = new Set<string>();
    const add = (key: Buffer, rangeEnd: Buffer, where: string): void => {
      const id = `${key.toString('hex')}:${rangeEnd.toString('hex')}`;
      if (seen.has(id)) return;
      seen.add(id);
      for (const operation of ['read', 'write'] as const) {
        const expected = root || covered(perms, operation, key, rangeEnd);
        probes.push({ user, operation, key, rangeEnd, where, expected });
      }
    };
    for (const p of perms) {
      add(p.key, p.rangeEnd, 'inside');
      if (p.rangeEnd.length > 0) add(insideKey(p), Buffer.alloc(0), 'inside');
      if (p.rangeEnd.length > 0 && !p.rangeEnd.equals(WHOLE))
        add(p.rangeEnd, Buffer.alloc(0), 'past the end');
      const sibling = siblingOf(p);
      if (sibling) add(sibling, Buffer.alloc(0), 'sibling');
      const parent = parentOf(p.key);
      if (parent) add(parent, prefixRangeEnd(parent), 'parent');
    }
    add(Buffer.from('/'), Buffer.alloc(0), 'key space root');
    add(WHOLE, WHOLE, 'whole key space');
  }
  return probes;
}
