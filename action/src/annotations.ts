// Validation findings as annotations on the policy file. GitHub shows at most 10 annotations of
// each kind per step, so the first findings of each kind are annotated (in file order) and the job
// summary lists every one. Errors fail the step, whose own `::error::` line takes one slot.
import * as core from '@actions/core';
import type { Diagnostic } from '../../shared/policy/diagnostics.js';

export const ANNOTATIONS_PER_KIND = 10;
const LIMIT = { error: ANNOTATIONS_PER_KIND - 1, warning: ANNOTATIONS_PER_KIND };

/** Annotates the first findings of each kind; returns how many were left to the summary only. */
export function annotate(diagnostics: readonly Diagnostic[]): number {
  const shown = { error: 0, warning: 0 };
  let skipped = 0;
  for (const d of diagnostics) {
    if (shown[d.severity] >= LIMIT[d.severity]) {
      skipped++;
      continue;
    }
    shown[d.severity]++;
    // No title: the runner would print it first, and the rule id already ends the message.
    const where = { file: d.file, startLine: d.line, startColumn: d.column };
    const message = `${d.message} [${d.rule}]`;
    if (d.severity === 'error') core.error(message, where);
    else core.warning(message, where);
  }
  return skipped;
}
