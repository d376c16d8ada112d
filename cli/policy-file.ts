// Reading a policy file for any command: diagnostics for bad content, a WardenError for no file.
import { readFile, stat } from 'node:fs/promises';
import { WardenError } from '../shared/errors.js';
import { decodePolicyBytes, tooLarge } from '../shared/policy/decode.js';
import { type Diagnostic, formatDiagnostic } from '../shared/policy/diagnostics.js';
import { type LoadResult, loadPolicy } from '../shared/policy/load.js';
import { MAX_POLICY_BYTES } from '../shared/policy/source.js';
import type { Policy } from '../shared/policy/types.js';

export async function readPolicyFile(path: string): Promise<LoadResult> {
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new WardenError('invalid-input', `cannot read policy ${path}: not a file`);
    if (info.size > MAX_POLICY_BYTES) {
      return { diagnostics: [tooLarge(info.size, path)] };
    }
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof WardenError) throw error;
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new WardenError('invalid-input', `cannot read policy ${path}: ${reason}`);
  }
  const text = decodePolicyBytes(bytes, path);
  return typeof text === 'string' ? loadPolicy(text, path) : { diagnostics: [text] };
}

/** The policy, or a WardenError('invalid-policy') whose message is the first error. */
export async function loadPolicyFile(path: string): Promise<Policy> {
  const { policy, diagnostics } = await readPolicyFile(path);
  if (policy) return policy;
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const more =
    errors.length > 1 ? ` (and ${errors.length - 1} more; run \`etcd-warden validate ${path}\`)` : '';
  throw new WardenError('invalid-policy', `${formatDiagnostic(errors[0] as Diagnostic)}${more}`);
}
