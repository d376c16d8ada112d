// The one file writer: the exact mode, a whole file or none, and no temporary left behind.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomically } from '../../shared/files/write-atomically.js';

const dir = mkdtempSync(join(tmpdir(), 'warden-write-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeFileAtomically', () => {
  it('replaces a file with the exact mode, whatever the umask, and leaves only the file', async () => {
    // Prepare
    const path = join(dir, 'key.pem');
    writeFileSync(path, 'old', { mode: 0o644 });
    const umask = process.umask(0o077);
    // Act
    try {
      await writeFileAtomically(path, 'new', { mode: 0o640 });
    } finally {
      process.umask(umask);
    }
    // Assess
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['key.pem']);
  });

  it('with replace: false refuses an existing file and leaves it as it was', async () => {
    // Prepare
    const path = join(dir, 'policy.yaml');
    writeFileSync(path, 'mine');
    // Act
    const refused = await writeFileAtomically(path, 'theirs', { replace: false }).catch((e: unknown) => e);
    const fresh = await writeFileAtomically(join(dir, 'other.yaml'), 'new', { replace: false });
    // Assess
    expect(refused).toMatchObject({ code: 'conflict', message: `${path} exists; refusing to overwrite it` });
    expect(fresh).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toBe('mine');
    expect(readdirSync(dir).sort()).toEqual(['key.pem', 'other.yaml', 'policy.yaml']);
  });

  it('says which file it could not write, and leaves nothing behind', async () => {
    // Act
    const failed = await writeFileAtomically(join(dir, 'missing-folder', 'x.pem'), 'x').catch(
      (e: unknown) => e,
    );
    // Assess
    expect(failed).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/x\.pem: ENOENT$/) });
    expect(readdirSync(dir).sort()).toEqual(['key.pem', 'other.yaml', 'policy.yaml']);
  });
});
