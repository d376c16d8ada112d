// The pieces the summary is made of: changes survive the JSON round trip through apply-rbac, a
// malformed change is refused, and text from the policy cannot break the Markdown table.
import { describe, expect, it } from 'vitest';
import { changeFromJson } from '../../action/src/change-json.js';
import { cell, changesTable } from '../../action/src/summary.js';
import { toEtcdRange } from '../../shared/policy/keyspan.js';
import type { Change } from '../../shared/rbac/change.js';
import { type ChangeJson, changeToJson } from '../../shared/rbac/format-plan.js';

const span = (from: string, to: string) => toEtcdRange({ type: 'range', from, to });

const EVERY_KIND: Change[] = [
  { op: 'add-role', role: 'calico' },
  {
    op: 'grant-permission',
    role: 'calico',
    ...toEtcdRange({ type: 'prefix', prefix: '/calico/' }),
    access: 'readwrite',
  },
  { op: 'grant-permission', role: 'calico', ...span('/a/', '/b/'), access: 'read', previous: 'readwrite' },
  { op: 'grant-permission', role: 'calico', ...span('/z/', ''), access: 'write' },
  { op: 'add-user', user: 'calico' },
  { op: 'grant-role', user: 'calico', role: 'calico' },
  { op: 'revoke-role', user: 'old', role: 'calico' },
  {
    op: 'revoke-permission',
    role: 'calico',
    ...toEtcdRange({ type: 'key', key: '/health' }),
    access: 'read',
  },
  { op: 'delete-user', user: 'old' },
  { op: 'delete-role', role: 'gone' },
  { op: 'enable-auth' },
  { op: 'disable-auth' },
];

describe('the Action summary', () => {
  it('turns every kind of change back from its JSON unchanged', () => {
    // Act
    const back = EVERY_KIND.map((c) =>
      changeFromJson(JSON.parse(JSON.stringify(changeToJson(c))) as ChangeJson),
    );

    // Assess
    expect(back).toEqual(EVERY_KIND);
  });

  it('refuses JSON that is not a change', () => {
    // Act
    const refused = [
      { op: 'drop-table', kind: 'remove' },
      { op: 'add-role', kind: 'add' },
      {
        op: 'grant-permission',
        kind: 'add',
        role: 'r',
        span: { type: 'prefix', prefix: '/p/' },
        access: 'all',
      },
      { op: 'grant-permission', kind: 'add', role: 'r', span: { type: 'bogus' }, access: 'read' },
    ].map((j) => changeFromJson(j as ChangeJson));

    // Assess
    expect(refused).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('groups changes by role and user and keeps table cells intact', () => {
    // Prepare
    const changes: Change[] = [
      { op: 'add-role', role: 'a|b' },
      {
        op: 'grant-permission',
        role: 'a|b',
        ...toEtcdRange({ type: 'key', key: '<img src=x>' }),
        access: 'read',
      },
      { op: 'add-user', user: 'u' },
      { op: 'enable-auth' },
    ];

    // Act
    const table = changesTable(changes).split('\n');

    // Assess
    expect(table).toEqual([
      '| Role or user | Add | Change | Remove | Changes |',
      '| --- | ---: | ---: | ---: | --- |',
      '| role a\\|b | 2 | 0 | 0 | + role a\\|b<br>+ permission a\\|b: key "&lt;img src=x&gt;" read |',
      '| user u | 1 | 0 | 0 | + user u |',
      '| auth | 1 | 0 | 0 | + auth enable |',
    ]);
    expect(cell('line\nbreak `code`')).toBe('line break &#96;code&#96;');
  });
});
