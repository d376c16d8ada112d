// The job summary, as Markdown a reviewer reads at a glance: what validation found, and for plan
// and apply a table of changes grouped by the role or user they touch, the counts and warnings.
import type { Diagnostic } from '../../shared/policy/diagnostics.js';
import type { Change, ChangeKind } from '../../shared/rbac/change.js';
import { changeKind } from '../../shared/rbac/change.js';
import type { ChangeJson } from '../../shared/rbac/format-plan.js';
import { describeChange, summaryLine } from '../../shared/rbac/format-plan.js';
import { ANNOTATIONS_PER_KIND } from './annotations.js';
import { changeFromJson } from './change-json.js';
import type { RbacOutcome } from './outcome.js';

const SIGN: Record<ChangeKind, string> = { add: '+', change: '~', remove: '-' };

/** Text from the policy or from etcd, safe inside a Markdown table cell. */
export const cell = (text: string): string =>
  text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('|', '\\|')
    .replaceAll('`', '&#96;')
    .replace(/\r?\n/g, ' ');

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function diagnosticsTable(diagnostics: readonly Diagnostic[]): string {
  const rows = diagnostics.map(
    (d) =>
      `| ${cell(`${d.file}:${d.line}:${d.column}`)} | ${d.severity} | ${cell(d.rule)} | ${cell(d.message)} |`,
  );
  return ['| Where | Severity | Rule | Message |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function validateSummary(file: string, diagnostics: readonly Diagnostic[], skipped: number): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const verdict =
    errors > 0
      ? `❌ **${cell(file)} is invalid**: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}.`
      : `✅ **${cell(file)} is valid**${warnings ? ` with ${plural(warnings, 'warning')}` : ''}.`;
  const parts = ['## etcd-warden validate', '', verdict];
  if (diagnostics.length > 0) parts.push('', diagnosticsTable(diagnostics));
  if (skipped > 0) {
    parts.push(
      '',
      `GitHub shows ${ANNOTATIONS_PER_KIND} annotations of each kind per step: ${plural(skipped, 'finding')} above ${skipped === 1 ? 'is' : 'are'} listed here only.`,
    );
  }
  return `${parts.join('\n')}\n`;
}

/** The role or user a change is about: user role grants belong to the user. */
function subjectOf(change: Change): string {
  if ('user' in change) return `user ${change.user}`;
  if ('role' in change) return `role ${change.role}`;
  return 'auth';
}

export function changesTable(changes: readonly Change[]): string {
  const groups = new Map<string, Change[]>();
  for (const change of changes) {
    const subject = subjectOf(change);
    groups.set(subject, [...(groups.get(subject) ?? []), change]);
  }
  const rows = [...groups].map(([subject, group]) => {
    const counts = { add: 0, change: 0, remove: 0 };
    for (const c of group) counts[changeKind(c)]++;
    const lines = group.map((c) => cell(`${SIGN[changeKind(c)]} ${describeChange(c)}`)).join('<br>');
    return `| ${cell(subject)} | ${counts.add} | ${counts.change} | ${counts.remove} | ${lines} |`;
  });
  return [
    '| Role or user | Add | Change | Remove | Changes |',
    '| --- | ---: | ---: | ---: | --- |',
    ...rows,
  ].join('\n');
}

/** ChangeJson back to Changes; a malformed entry is a broken response, never silently dropped. */
export function changesOf(json: readonly ChangeJson[]): Change[] {
  return json.map((j) => {
    const change = changeFromJson(j);
    if (!change) throw new Error(`not a change: ${JSON.stringify(j).slice(0, 200)}`);
    return change;
  });
}

function warningsList(diagnostics: readonly Diagnostic[]): string[] {
  const warnings = diagnostics.filter((d) => d.severity === 'warning');
  if (warnings.length === 0) return [];
  return [
    '',
    `### ${plural(warnings.length, 'warning')}`,
    '',
    ...warnings.map(
      (d) => `- ${cell(`${d.file}:${d.line}:${d.column}`)}: ${cell(d.message)} (${cell(d.rule)})`,
    ),
  ];
}

export function rbacSummary(
  file: string,
  outcome: RbacOutcome,
  diagnostics: readonly Diagnostic[],
  error?: string,
): string {
  const planned = changesOf(outcome.planned);
  const parts = [
    `## etcd-warden ${outcome.command}`,
    '',
    `Policy \`${cell(file)}\`, via ${cell(outcome.via)}.`,
    '',
  ];
  const warnings = outcome.warnings ?? [];
  if (warnings.length > 0) {
    parts.push('### Warnings', '', ...warnings.map((w) => `- ${cell(w)}`), '');
  }
  if (outcome.command === 'plan') {
    parts.push(`**${summaryLine(planned)}**`);
    if (planned.length > 0) parts.push('', changesTable(planned));
  } else {
    const applied = changesOf(outcome.applied ?? []);
    const remaining = changesOf(outcome.remaining ?? []);
    if (planned.length === 0) parts.push('**No changes: etcd matches the policy.**');
    else if (!error)
      parts.push(`**Applied ${plural(applied.length, 'change')}; etcd now matches the policy.**`);
    else parts.push(`**Applied ${applied.length} of ${plural(planned.length, 'change')}, then stopped.**`);
    if (planned.length > 0) parts.push('', `Planned: ${summaryLine(planned).replace(/^Plan: /, '')}`);
    if (applied.length > 0) parts.push('', '### Applied', '', changesTable(applied));
    if (outcome.failure) {
      const failed = outcome.failure.change && changeFromJson(outcome.failure.change);
      parts.push(
        '',
        `### Failed${failed ? `: ${cell(describeChange(failed))}` : ''}`,
        '',
        `${cell(outcome.failure.code)}: ${cell(outcome.failure.message)}`,
      );
    }
    if (remaining.length > 0) parts.push('', '### Still to do', '', changesTable(remaining));
  }
  if (error && !outcome.failure) parts.push('', `❌ ${cell(error)}`);
  parts.push(...warningsList(diagnostics));
  return `${parts.join('\n')}\n`;
}

/** A failure before any plan existed (bad input, etcd unreachable): the one line, as the summary. */
export const errorSummary = (command: string, message: string): string =>
  `## etcd-warden ${command}\n\n❌ ${cell(message)}\n`;
