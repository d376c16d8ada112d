// The policy as the Action reads it: from the workspace, with diagnostics naming the file by its
// path in the repository (what annotations need), and the text itself for the apply-rbac function.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { type PolicyFileContent, readPolicyFile } from '../../shared/policy/read-file.js';

export interface PolicyFile extends PolicyFileContent {
  /** The path diagnostics and annotations use: relative to the workspace when inside it. */
  file: string;
}

export async function readWorkspacePolicy(path: string, workspace: string): Promise<PolicyFile> {
  const absolute = resolve(workspace, path);
  const inside = relative(workspace, absolute);
  const file =
    inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside.split(sep).join('/') : absolute;
  const content = await readPolicyFile(absolute, {
    name: file,
    missingHint: 'input "policy" is relative to the workspace',
  });
  return { file, ...content };
}
