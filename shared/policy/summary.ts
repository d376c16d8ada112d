import type { Diagnostic } from './diagnostics.js';
import type { Policy } from './types.js';

export interface PolicySummary {
  auth: Policy['auth'];
  prune: boolean;
  presets: string[];
  roles: string[];
  users: string[];
  members: string[];
  templates: string[];
}

export const summarizePolicy = (policy: Policy): PolicySummary => ({
  auth: policy.auth,
  prune: policy.prune,
  presets: policy.presets,
  roles: Object.keys(policy.roles).sort(),
  users: Object.keys(policy.users).sort(),
  members: Object.keys(policy.members).sort(),
  templates: Object.keys(policy.templates).sort(),
});

/** A few lines a person reads at a glance. */
export function formatSummary(policy: Policy): string {
  const lines = [
    `auth ${policy.auth}, prune ${policy.prune ? 'on' : 'off'}${policy.presets.length ? `, presets ${policy.presets.join(', ')}` : ''}`,
  ];
  for (const role of Object.values(policy.roles).sort((a, b) => a.name.localeCompare(b.name))) {
    const grants = role.permissions.map((p) => {
      const target =
        p.span.type === 'prefix'
          ? `${p.span.prefix}*`
          : p.span.type === 'key'
            ? p.span.key
            : `[${p.span.from}, ${p.span.to || 'end'})`;
      return `${target} ${p.access}`;
    });
    lines.push(`  role ${role.name}: ${grants.join(', ') || '(no permissions)'}`);
  }
  for (const user of Object.values(policy.users).sort((a, b) => a.name.localeCompare(b.name))) {
    const cert = user.certificate
      ? `, certificate for ${user.certificate.requesters.length} requester pattern(s)`
      : '';
    lines.push(`  user ${user.name}: ${user.roles.join(', ') || '(no roles)'}${cert}`);
  }
  for (const member of Object.values(policy.members))
    lines.push(`  member ${member.name}: ${member.hosts.join(', ')}`);
  for (const t of Object.values(policy.templates))
    lines.push(`  template ${t.name}: user ${t.user} with ${t.roles.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

const counted = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * validate's one verdict line: valid with what the policy declares, or invalid with its errors;
 * the warnings in both. Past the cap the findings listed are counted, and the rest are said to be
 * counted in the last listed line.
 */
export function formatVerdict(
  file: string,
  diagnostics: readonly Diagnostic[],
  policy: Policy | undefined,
): string {
  const listed = diagnostics.filter((d) => d.rule !== 'too-many-findings');
  const errors = listed.filter((d) => d.severity === 'error').length;
  const warnings = listed.length - errors;
  const more = listed.length < diagnostics.length ? ' listed, and more counted above' : '';
  if (!policy) return `${file}: invalid: ${counted(errors, 'error')}, ${counted(warnings, 'warning')}${more}`;
  const declared = [
    counted(Object.keys(policy.roles).length, 'role'),
    counted(Object.keys(policy.users).length, 'user'),
    counted(Object.keys(policy.members).length, 'member'),
    counted(Object.keys(policy.templates).length, 'template'),
  ].join(', ');
  return `${file}: valid (${declared})${warnings > 0 ? ` with ${counted(warnings, 'warning')}${more}` : ''}`;
}
