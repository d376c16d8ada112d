// The one way the product writes a file: a temporary file in the same folder, its mode set before
// any content lands, then renamed over the target. A reader (etcd, a component, the next command)
// sees the old file or the new one, never half of one, and a crash leaves at most the temporary.
import { randomBytes } from 'node:crypto';
import { chmod, link, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { WardenError } from '../errors.js';

export interface AtomicWriteOptions {
  /** File mode, e.g. 0o600 for a private key. */
  mode?: number;
  /** false: refuse (WardenError 'conflict') when the target exists, without touching it. */
  replace?: boolean;
}

export async function writeFileAtomically(
  path: string,
  content: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o644;
  // Same folder, so the rename never crosses a file system; a random part, so two writers never share it.
  const temporary = join(
    dirname(path),
    `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    await writeFile(temporary, content, { mode, flag: 'wx' });
    // writeFile's mode is filtered by the umask; the file must have exactly this one.
    await chmod(temporary, mode);
    // link() fails when the target exists, where rename() would replace it: the check and the
    // write are one step, so no other writer can slip in between.
    if (options.replace === false) await link(temporary, path);
    else await rename(temporary, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'EEXIST' && options.replace === false)
      throw new WardenError('conflict', `${path} exists; refusing to overwrite it`);
    throw new WardenError('unavailable', `cannot write ${path}: ${code}`);
  } finally {
    await rm(temporary, { force: true });
  }
}
