// The one policy-file reader of every front that reads a file (CLI commands, serve, the Action):
// a missing or unreadable file is a WardenError, anything wrong with its content a diagnostic,
// and a file over the size limit is refused before it is read.
import { readFile, stat } from 'node:fs/promises';
import { WardenError } from '../errors.js';
import { decodePolicyBytes, tooLarge } from './decode.js';
import { type LoadResult, loadPolicy } from './load.js';
import { MAX_POLICY_BYTES } from './source.js';

export interface PolicyFileContent extends LoadResult {
  /** The text, when the file could be read as text. */
  text?: string;
}

export interface PolicyFileOptions {
  /** What messages and diagnostics call the file (the Action: its path in the repository); default `path`. */
  name?: string;
  /** Said after "no such file", e.g. where relative paths start. */
  missingHint?: string;
}

export async function readPolicyFile(
  path: string,
  options: PolicyFileOptions = {},
): Promise<PolicyFileContent> {
  const name = options.name ?? path;
  let bytes: Buffer;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new WardenError('invalid-input', `cannot read policy ${name}: not a file`);
    if (info.size > MAX_POLICY_BYTES) return { diagnostics: [tooLarge(info.size, name)] };
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof WardenError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? `no such file${options.missingHint ? ` (${options.missingHint})` : ''}`
        : (code ?? (error as Error).message);
    throw new WardenError('invalid-input', `cannot read policy ${name}: ${reason}`);
  }
  const text = decodePolicyBytes(bytes, name);
  return typeof text === 'string' ? { text, ...loadPolicy(text, name) } : { diagnostics: [text] };
}
