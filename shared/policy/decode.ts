import type { Diagnostic } from './diagnostics.js';
import { MAX_POLICY_BYTES, policyTooLarge } from './source.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Policy bytes as text, or the one diagnostic that says why they are not a policy. */
export function decodePolicyBytes(bytes: Uint8Array, file: string): string | Diagnostic {
  if (bytes.length > MAX_POLICY_BYTES) return tooLarge(bytes.length, file);
  try {
    return utf8.decode(bytes);
  } catch {
    return fileProblem(file, 'not-text', 'the policy is not UTF-8 text (binary bytes)');
  }
}

export const tooLarge = (size: number, file: string): Diagnostic =>
  fileProblem(file, 'file-too-large', policyTooLarge(size));

const fileProblem = (file: string, rule: string, message: string): Diagnostic => ({
  file,
  line: 1,
  column: 1,
  severity: 'error',
  rule,
  message,
});
