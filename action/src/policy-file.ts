// The policy as the Action reads it: from the workspace, with diagnostics naming the file by its
// path in the repository (what annotations need), and the text itself for the apply-rbac function.
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { WardenError } from '../../shared/errors.js';
import { decodePolicyBytes, tooLarge } from '../../shared/policy/decode.js';
import { type LoadResult, loadPolicy } from '../../shared/policy/load.js';
import { MAX_POLICY_BYTES } from '../../shared/policy/source.js';

export interface PolicyFile extends LoadResult {
  /** The path diagnostics and annotations use: relative to the workspace when inside it. */
  file: string;
  /** The text, when it could be read as text. */
  text?: string;
}

export async function readWorkspacePolicy(path: string, workspace: string): Promise<PolicyFile> {
  const absolute = resolve(workspace, path);
  const inside = relative(workspace, absolute);
  const file =
    inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside.split(sep).join('/') : absolute;
  let bytes: Buffer;
  try {
    const info = await stat(absolute);
    if (!info.isFile()) throw new WardenError('invalid-input', `cannot read policy ${file}: not a file`);
    if (info.size > MAX_POLICY_BYTES) return { file, diagnostics: [tooLarge(info.size, file)] };
    bytes = await readFile(absolute);
  } catch (error) {
    if (error instanceof WardenError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new WardenError(
      'invalid-input',
      `cannot read policy ${file}: ${code === 'ENOENT' ? 'no such file (input "policy" is relative to the workspace)' : (code ?? 'error')}`,
    );
  }
  const text = decodePolicyBytes(bytes, file);
  return typeof text === 'string' ? { file, text, ...loadPolicy(text, file) } : { file, diagnostics: [text] };
}
