// Validation findings. Every one names the file, a 1-based line and column, and a stable rule id.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  rule: string;
  message: string;
}

export const hasErrors = (diagnostics: readonly Diagnostic[]): boolean =>
  diagnostics.some((d) => d.severity === 'error');

/** `FILE:LINE:COL: error|warning: text [rule]`, the form compilers and editors understand. */
export const formatDiagnostic = (d: Diagnostic): string =>
  `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message} [${d.rule}]`;

export const byPosition = (a: Diagnostic, b: Diagnostic): number =>
  a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule);

/** Messages quote names taken from the file; escape control characters so each stays one line. */
export const oneLine = (text: string): string =>
  [...text]
    .map((c) => (c.charCodeAt(0) < 0x20 || c === '\u007f' ? JSON.stringify(c).slice(1, -1) : c))
    .join('');

const QUOTE_LIMIT = 48;

/**
 * A value from the file, quoted for a message: short, and never a PEM block, so that a key file
 * passed where a policy belongs cannot come back in an error (invariant: no key material in errors).
 */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  if (/-----BEGIN|PRIVATE KEY/.test(text)) return '(PEM data, not shown)';
  const quoted = JSON.stringify(text);
  return quoted.length <= QUOTE_LIMIT ? quoted : `${quoted.slice(0, QUOTE_LIMIT - 2)}…"`;
}
