// The policy's three ways to name keys, and etcd's key/range_end bytes, in both directions.
import { describe, expect, it } from 'vitest';
import { fromEtcdRange, prefixRangeEnd, toEtcdRange } from '../../shared/policy/keyspan.js';
import { loadPolicy } from '../../shared/policy/load.js';
import type { KeySpan } from '../../shared/policy/types.js';

const hex = (b: Buffer) => b.toString('hex');

describe('key spans', () => {
  it.each<[KeySpan, string, string]>([
    [{ type: 'prefix', prefix: '/calico/' }, '/calico/', '/calico0'],
    [{ type: 'key', key: '/health' }, '/health', ''],
    [{ type: 'range', from: '/a/', to: '/b/' }, '/a/', '/b/'],
    [{ type: 'range', from: '/z', to: '' }, '/z', '\0'],
    [{ type: 'prefix', prefix: '' }, '\0', '\0'],
  ])('%o ↔ key %j, range_end %j', (span, key, rangeEnd) => {
    const range = toEtcdRange(span);
    expect([range.key.toString(), range.rangeEnd.toString()]).toEqual([key, rangeEnd]);
    expect(fromEtcdRange(range)).toEqual(span);
  });

  it('prefix end follows etcd: drop trailing 0xff bytes, increment the last', () => {
    expect(hex(prefixRangeEnd(Buffer.from([0x61, 0xff, 0xff])))).toBe('62');
    expect(hex(prefixRangeEnd(Buffer.from([0xff])))).toBe('00');
  });

  it('a range without `to` reaches the end of the key space and validates', () => {
    const { policy, diagnostics } = loadPolicy(
      'version: 1\nroles:\n  tail:\n    - { range: { from: /z/ }, access: read }\nusers:\n  root:\n    roles: [root]\n',
      'p.yaml',
    );
    expect(diagnostics).toEqual([]);
    expect(policy?.roles.tail?.permissions[0]?.span).toEqual({ type: 'range', from: '/z/', to: '' });
  });
});
