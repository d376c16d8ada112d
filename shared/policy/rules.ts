// Meaning-level checks on a policy that already has the right structure. Each finding carries a
// stable rule id (listed in RULES and in the README) so users can look it up and tools can match it.
import { presetOfRole, presets } from '../presets/index.js';
import { quote } from './diagnostics.js';
import { DURATION_RULE, parseDuration } from './duration.js';
import { hostKind } from './hosts.js';
import { compareEnds, describeSpan, type Interval, rangeId, toInterval } from './keyspan.js';
import type { RawPermission, RawPolicy } from './raw.js';
import { INSTANCE_ID, requesterPatternProblem } from './requesters.js';
import type { Path } from './source.js';
import { type Access, type KeySpan, ROOT, V2_GUEST } from './types.js';

export const RULES = {
  'yaml-syntax': 'the file is not valid YAML, or holds several documents',
  'yaml-alias-key': 'an anchor or alias used as a mapping key',
  'yaml-merge-key': 'a YAML merge key (<<), which policies do not support',
  'yaml-tag': 'an explicit YAML tag (!!binary, !custom…)',
  'control-character': 'a control character in a key or value',
  'not-text': 'the file holds binary bytes',
  'too-deep': 'nesting far deeper than any policy needs',
  'file-too-large': 'the file is larger than the loader accepts',
  'too-many-nodes': 'more YAML nodes than any policy needs',
  'too-many-aliases': 'more YAML aliases (*name) than any policy needs',
  'schema-required': 'a required field is missing',
  'schema-type': 'a field has the wrong type',
  'schema-enum': 'a field has a value outside its fixed set',
  'schema-version': 'the policy version is not 1',
  'schema-empty': 'a field that must not be empty is empty',
  'unknown-field': 'a field the policy format does not define',
  'duplicate-name': 'a role, user, member or template is declared twice',
  'duplicate-key': 'a key is written twice in one mapping',
  'invalid-name': 'a name etcd or a certificate cannot carry',
  'reserved-name': 'a policy redefines etcd’s built-in root role, or names a role guest with the v2 API on',
  'undefined-role': 'a user or template holds a role that is not defined',
  'permission-target': 'a permission names zero, or several, of prefix / key / range',
  'v2-permission': 'a range permission, which the v2 API cannot express, with `apis` holding v2',
  'range-order': 'a range whose `from` is not before its `to`',
  'permission-conflict': 'two permissions of one role on the same range with different access',
  'prefix-slash': 'a prefix that does not end in `/` also grants its siblings',
  'whole-keyspace': 'a permission covering the whole key space for a role other than root',
  'empty-key': 'a permission on key "" or from "", which etcd accepts and then matches no key with',
  'redundant-permission': 'a permission already covered by a wider one of the same role',
  'auth-root': '`auth: enabled` without a `root` user holding the root role',
  'root-grant': 'a user other than root holds the root role',
  'member-user-collision': 'a member (server certificate) named like an etcd user',
  'invalid-host': 'a member host that is neither a DNS name nor an IP address',
  'invalid-duration': 'a duration that is not a positive Go-style duration',
  'invalid-serial': 'a revoked serial number that is not hexadecimal',
  'ttl-limit': 'a certificate TTL above the policy’s maximum or the CA’s validity',
  'requester-pattern': 'a requester that is not a valid IAM principal ARN pattern',
  'template-instance-id': 'a template whose user name lacks {instanceId}',
  'preset-override': 'a declared role that replaces a preset role with different permissions',
  'too-many-findings': 'the findings past the first 1,000, counted in one line',
} as const;

export type RuleId = keyof typeof RULES;

export const DEFAULTS = {
  caValidity: '87600h',
  maxTtl: '8760h',
  userTtl: '720h',
  memberTtl: '8760h',
} as const;

export interface Finding {
  rule: RuleId;
  severity: 'error' | 'warning';
  path: Path;
  part: 'key' | 'value';
  message: string;
}

// Names become etcd user/role names and certificate Common Names (at most 64 characters).
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,63}$/;

const ACCESS_COVERS: Record<Access, Access[]> = {
  read: ['read', 'readwrite'],
  write: ['write', 'readwrite'],
  readwrite: ['readwrite'],
};

/** The span a well-formed permission names, or undefined when it names zero or several. */
export function spanOf(permission: RawPermission): KeySpan | undefined {
  const named = [permission.prefix, permission.key, permission.range].filter((v) => v !== undefined).length;
  if (named !== 1) return undefined;
  if (permission.prefix !== undefined) return { type: 'prefix', prefix: permission.prefix };
  if (permission.key !== undefined) return { type: 'key', key: permission.key };
  const range = permission.range as { from: string; to?: string };
  return { type: 'range', from: range.from, to: range.to ?? '' };
}

export function checkRules(raw: RawPolicy): Finding[] {
  const findings: Finding[] = [];
  const report = (
    rule: RuleId,
    severity: Finding['severity'],
    path: Path,
    message: string,
    part: Finding['part'] = 'value',
  ) => findings.push({ rule, severity, path, part, message });

  const roles = raw.roles ?? {};
  const users = raw.users ?? {};
  const members = raw.members ?? {};
  const templates = raw.templates ?? {};
  const included = new Set(raw.presets ?? []);

  checkNames(roles, users, members, templates, report);
  for (const [name, permissions] of Object.entries(roles)) checkRole(name, permissions, report);
  checkPresetOverrides(roles, included, report);
  checkRoleReferences(roles, users, templates, included, report);
  checkAuth(raw, users, report);
  if (raw.apis?.includes('v2')) checkV2(roles, report);
  const ca = checkCa(raw, report);
  checkCertificates(users, templates, ca, report);
  checkMembers(members, users, ca, report);
  checkTemplates(templates, report);
  return findings;
}

/**
 * v2 grants path globs: a prefix becomes `PREFIX*` and a key its exact path, but a range has no
 * v2 form. v2's guest role serves requests that name no user, so a policy cannot define it.
 */
function checkV2(roles: NonNullable<RawPolicy['roles']>, report: Report): void {
  if (Object.hasOwn(roles, V2_GUEST)) {
    report(
      'reserved-name',
      'error',
      ['roles', V2_GUEST],
      'with apis holding v2, the guest role is etcd’s own (requests without a user) and is locked, not defined',
      'key',
    );
  }
  for (const [name, permissions] of Object.entries(roles)) {
    permissions.forEach((permission, index) => {
      if (permission.range === undefined) return;
      report(
        'v2-permission',
        'error',
        ['roles', name, index, 'range'],
        `role ${quote(name)}: the v2 API has no ranges, only prefixes and keys; write a prefix or a key, or drop v2 from apis`,
        'key',
      );
    });
  }
}

type Report = (
  rule: RuleId,
  severity: Finding['severity'],
  path: Path,
  message: string,
  part?: Finding['part'],
) => void;

function checkNames(
  roles: Record<string, unknown>,
  users: Record<string, unknown>,
  members: Record<string, unknown>,
  templates: Record<string, unknown>,
  report: Report,
): void {
  const sections = { roles, users, members, templates } as const;
  const kinds = { roles: 'role', users: 'user', members: 'member', templates: 'template' } as const;
  for (const [section, entries] of Object.entries(sections) as [
    keyof typeof sections,
    Record<string, unknown>,
  ][]) {
    for (const name of Object.keys(entries)) {
      if (!NAME.test(name)) {
        report(
          'invalid-name',
          'error',
          [section, name],
          `${kinds[section]} name ${quote(name)} must be 1–64 characters of letters, digits and . _ @ : - (starting with a letter or digit)`,
          'key',
        );
      }
    }
  }
  if (Object.hasOwn(roles, ROOT)) {
    report(
      'reserved-name',
      'error',
      ['roles', ROOT],
      'the root role is etcd’s own and cannot be redefined; grant it to users instead',
      'key',
    );
  }
}

function checkRole(name: string, permissions: RawPermission[], report: Report): void {
  const seen = new Map<string, { access: Access; index: number }>();
  const valid: { index: number; span: KeySpan; interval: Interval; access: Access }[] = [];
  permissions.forEach((permission, index) => {
    const path = ['roles', name, index];
    const span = spanOf(permission);
    if (!span) {
      report('permission-target', 'error', path, 'a permission names exactly one of prefix, key or range');
      return;
    }
    const empty = emptyStartProblem(span);
    if (empty) {
      report('empty-key', 'error', [...path, span.type === 'key' ? 'key' : 'range'], empty);
      return;
    }
    if (
      span.type === 'range' &&
      span.to !== '' &&
      Buffer.compare(Buffer.from(span.from), Buffer.from(span.to)) >= 0
    ) {
      report(
        'range-order',
        'error',
        [...path, 'range'],
        `range.from ${quote(span.from)} must sort before range.to ${quote(span.to)}`,
      );
      return;
    }
    if (span.type === 'prefix' && span.prefix !== '' && !span.prefix.endsWith('/')) {
      report(
        'prefix-slash',
        'warning',
        [...path, 'prefix'],
        `prefix ${quote(span.prefix)} does not end in "/": it also grants every key that merely starts with the same text, such as ${quote(`${span.prefix}-secrets`)}`,
      );
    }
    const interval = toInterval(span);
    if (coversEveryTenant(interval)) {
      const writes = permission.access !== 'read';
      report(
        'whole-keyspace',
        writes ? 'error' : 'warning',
        [...path, span.type],
        `role ${quote(name)} would ${writes ? 'write' : 'read'} the whole key space (${describeSpan(span)}), every other tenant’s keys included; only root should, or narrow the ${span.type}`,
      );
    }
    const id = rangeId(span);
    const earlier = seen.get(id);
    if (earlier && earlier.access !== permission.access) {
      report(
        'permission-conflict',
        'error',
        [...path, 'access'],
        `role ${quote(name)} already grants ${earlier.access} on ${describeSpan(span)} (permission ${earlier.index + 1}); etcd keeps one permission per range, so the later silently replaces the earlier`,
      );
      return;
    }
    if (!earlier) seen.set(id, { access: permission.access, index });
    valid.push({ index, span, interval, access: permission.access });
  });
  reportRedundant(name, valid, report);
}

// etcd has no empty key (a put of "" is refused), and it reads an empty start as past every key:
// it accepts a permission on key "" or from "" and then matches no key with it (checked against
// etcd 3.4). The whole key space starts at "\0", which is what the empty prefix is sent as.
function emptyStartProblem(span: KeySpan): string | undefined {
  if (span.type === 'key' && span.key === '') {
    return 'key "" names no key: etcd has no empty key, so this permission would grant nothing';
  }
  if (span.type === 'range' && span.from === '') {
    return 'range.from "" would make etcd grant nothing (it reads an empty start as past every key); start at the first key with from: "\\0"';
  }
  return undefined;
}

// Every tenant's keys start with "/" (the convention the presets and the guide follow), so a span
// that holds all of prefix "/" — the empty prefix, "/", or a range from at most "/" to at least
// "0" or the end — hands over everyone's keys, whatever its form.
const EVERY_TENANT = toInterval({ type: 'prefix', prefix: '/' });
const coversEveryTenant = (interval: Interval): boolean =>
  Buffer.compare(interval.start, EVERY_TENANT.start) <= 0 && compareEnds(interval.end, EVERY_TENANT.end) >= 0;

// A permission is redundant when an earlier-sorted one of the same role covers its whole interval
// with at least its access. Sorting by start (then widest first) makes this one linear sweep.
function reportRedundant(
  role: string,
  permissions: { index: number; span: KeySpan; interval: Interval; access: Access }[],
  report: Report,
): void {
  const sorted = [...permissions].sort(
    (a, b) =>
      Buffer.compare(a.interval.start, b.interval.start) ||
      compareEnds(b.interval.end, a.interval.end) ||
      a.index - b.index,
  );
  const widest: Partial<Record<Access, { end: Buffer | null; span: KeySpan }>> = {};
  for (const p of sorted) {
    const cover = ACCESS_COVERS[p.access]
      .map((a) => widest[a])
      .find((w) => w !== undefined && compareEnds(w.end, p.interval.end) >= 0);
    if (cover) {
      report(
        'redundant-permission',
        'warning',
        ['roles', role, p.index],
        `${describeSpan(p.span)} (${p.access}) is already covered by ${describeSpan(cover.span)} in role ${quote(role)}`,
      );
      continue;
    }
    const current = widest[p.access];
    if (!current || compareEnds(current.end, p.interval.end) < 0)
      widest[p.access] = { end: p.interval.end, span: p.span };
  }
}

function checkPresetOverrides(
  roles: Record<string, RawPermission[]>,
  included: Set<string>,
  report: Report,
): void {
  for (const [name, permissions] of Object.entries(roles)) {
    const preset = presetOfRole(name);
    if (!preset || !included.has(preset)) continue;
    const declared = permissions
      .map((p) => `${spanOf(p) ? rangeId(spanOf(p) as KeySpan) : ''}=${p.access}`)
      .sort();
    const builtIn = (presets[preset][name] ?? []).map((p) => `${rangeId(p.span)}=${p.access}`).sort();
    if (declared.join() !== builtIn.join()) {
      report(
        'preset-override',
        'warning',
        ['roles', name],
        `role ${quote(name)} replaces preset ${preset}’s role of the same name with different permissions`,
        'key',
      );
    }
  }
}

function checkRoleReferences(
  roles: Record<string, unknown>,
  users: NonNullable<RawPolicy['users']>,
  templates: NonNullable<RawPolicy['templates']>,
  included: Set<string>,
  report: Report,
): void {
  const holders = [
    ...Object.entries(users).map(([name, u]) => ({
      section: 'users',
      name,
      roles: u.roles,
      acknowledged: u.acknowledge ?? [],
    })),
    ...Object.entries(templates).map(([name, t]) => ({
      section: 'templates',
      name,
      roles: t.roles,
      acknowledged: [],
    })),
  ];
  for (const holder of holders) {
    holder.roles.forEach((role, index) => {
      const path = [holder.section, holder.name, 'roles', index];
      if (role === ROOT) {
        if (
          (holder.section === 'users' && holder.name === ROOT) ||
          holder.acknowledged.includes('root-grant')
        )
          return;
        report(
          'root-grant',
          'warning',
          path,
          `${quote(holder.name)} holds the root role: full access to every key and to auth itself. kube-apiserver needs it only because compaction on the v3 API is allowed to root; grant it to no other component (or acknowledge it: \`acknowledge: [root-grant]\`)`,
        );
        return;
      }
      if (Object.hasOwn(roles, role)) return;
      const preset = presetOfRole(role);
      if (preset && included.has(preset)) return;
      const hint = preset ? `; it is in preset "${preset}": add it to presets` : '';
      report('undefined-role', 'error', path, `role ${quote(role)} is not defined${hint}`);
    });
  }
}

function checkAuth(raw: RawPolicy, users: NonNullable<RawPolicy['users']>, report: Report): void {
  if ((raw.auth ?? 'enabled') !== 'enabled') return;
  if (users[ROOT]?.roles.includes(ROOT)) return;
  // Point where the fix goes: the root user's roles, else the auth setting, else the policy itself.
  const where = users[ROOT] ? ['users', ROOT, 'roles'] : raw.auth ? ['auth'] : [];
  report(
    'auth-root',
    'error',
    where,
    `auth is enabled${raw.auth ? '' : ' (the default)'} but no user "root" holds the root role: etcd refuses to enable auth without it, and nobody could administer the cluster`,
  );
}

interface CaLimits {
  maxTtl: number;
  validity: number;
}

// A duration the policy writes (or its default), in seconds; undefined after reporting it when invalid.
function durationOf(
  path: Path,
  text: string | undefined,
  fallback: string,
  report: Report,
): number | undefined {
  const seconds = parseDuration(text ?? fallback);
  if (seconds === undefined) {
    report('invalid-duration', 'error', path, `${quote(text)} is not ${DURATION_RULE}`);
  }
  return seconds;
}

function checkCa(raw: RawPolicy, report: Report): CaLimits {
  const validity = durationOf(['ca', 'validity'], raw.ca?.validity, DEFAULTS.caValidity, report);
  const maxTtl = durationOf(['ca', 'maxTtl'], raw.ca?.maxTtl, DEFAULTS.maxTtl, report);
  if (validity !== undefined && maxTtl !== undefined && maxTtl > validity) {
    report(
      'ttl-limit',
      'error',
      ['ca', 'maxTtl'],
      `maxTtl ${raw.ca?.maxTtl ?? DEFAULTS.maxTtl} exceeds the CA's validity ${raw.ca?.validity ?? DEFAULTS.caValidity}`,
    );
  }
  // An invalid limit is reported once; the TTL checks then compare against no limit.
  return { maxTtl: maxTtl ?? Number.POSITIVE_INFINITY, validity: validity ?? Number.POSITIVE_INFINITY };
}

function checkTtl(
  path: Path,
  text: string | undefined,
  fallback: string,
  limits: CaLimits,
  report: Report,
): void {
  const seconds = durationOf(path, text, fallback, report);
  if (seconds === undefined) return;
  if (seconds > limits.maxTtl) {
    report(
      'ttl-limit',
      'error',
      path,
      `ttl ${text ?? fallback} is above the policy's maximum (ca.maxTtl, default ${DEFAULTS.maxTtl})`,
    );
  } else if (seconds > limits.validity) {
    report('ttl-limit', 'error', path, `ttl ${text ?? fallback} outlives the CA (ca.validity)`);
  }
}

function checkCertificates(
  users: NonNullable<RawPolicy['users']>,
  templates: NonNullable<RawPolicy['templates']>,
  limits: CaLimits,
  report: Report,
): void {
  const holders = [
    ...Object.entries(users).map(([name, u]) => ({
      path: ['users', name],
      certificate: u.certificate,
      template: false,
    })),
    ...Object.entries(templates).map(([name, t]) => ({
      path: ['templates', name],
      certificate: t.certificate,
      template: true,
    })),
  ];
  for (const { path, certificate, template } of holders) {
    if (!certificate) continue;
    checkTtl([...path, 'certificate', 'ttl'], certificate.ttl, DEFAULTS.userTtl, limits, report);
    (certificate.requesters ?? []).forEach((pattern, index) => {
      const problem = requesterPatternProblem(pattern, template);
      if (problem)
        report(
          'requester-pattern',
          'error',
          [...path, 'certificate', 'requesters', index],
          `requester ${quote(pattern)} ${problem}`,
        );
    });
  }
}

function checkMembers(
  members: NonNullable<RawPolicy['members']>,
  users: NonNullable<RawPolicy['users']>,
  limits: CaLimits,
  report: Report,
): void {
  for (const [name, member] of Object.entries(members)) {
    if (Object.hasOwn(users, name)) {
      report(
        'member-user-collision',
        'error',
        ['members', name],
        `member ${quote(name)} is also a user: a server certificate whose CN is an etcd user grants that user's rights to the server (CVE-2018-16886); rename one`,
        'key',
      );
    }
    member.hosts.forEach((host, index) => {
      if (!hostKind(host)) {
        report(
          'invalid-host',
          'error',
          ['members', name, 'hosts', index],
          `host ${quote(host)} is neither an IP address nor a DNS name`,
        );
      }
    });
    checkTtl(['members', name, 'ttl'], member.ttl, DEFAULTS.memberTtl, limits, report);
  }
}

function checkTemplates(templates: NonNullable<RawPolicy['templates']>, report: Report): void {
  for (const [name, template] of Object.entries(templates)) {
    if (!template.user.includes(INSTANCE_ID)) {
      report(
        'template-instance-id',
        'error',
        ['templates', name, 'user'],
        `template user ${quote(template.user)} must contain ${INSTANCE_ID}, or every instance would share one user`,
      );
      continue;
    }
    const sample = template.user.replaceAll(INSTANCE_ID, 'i-0123456789abcdef0');
    if (!NAME.test(sample)) {
      report(
        'invalid-name',
        'error',
        ['templates', name, 'user'],
        `template user ${quote(template.user)} does not make a valid user name (letters, digits and . _ @ : -, at most 64 characters)`,
      );
    }
  }
}
