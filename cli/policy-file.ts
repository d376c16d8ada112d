// A policy file for any command: diagnostics for bad content, a WardenError for no file
// (the reading itself is the core's readPolicyFile, shared with the Action).
import { WardenError } from '../shared/errors.js';
import { type Diagnostic, formatDiagnostic } from '../shared/policy/diagnostics.js';
import { type PolicyFileContent, readPolicyFile } from '../shared/policy/read-file.js';
import type { Policy } from '../shared/policy/types.js';

/** The policy read, or a WardenError('invalid-policy') whose message is the first error. */
export function policyOrRefusal(content: PolicyFileContent, path: string): Policy {
  if (content.policy) return content.policy;
  const errors = content.diagnostics.filter((d) => d.severity === 'error');
  const more =
    errors.length > 1 ? ` (and ${errors.length - 1} more; run \`etcd-warden validate ${path}\`)` : '';
  throw new WardenError('invalid-policy', `${formatDiagnostic(errors[0] as Diagnostic)}${more}`);
}

export const loadPolicyFile = async (path: string): Promise<Policy> =>
  policyOrRefusal(await readPolicyFile(path), path);
