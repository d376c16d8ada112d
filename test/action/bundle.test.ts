// The committed bundle is what the runner executes, so it must be exactly a fresh build of the
// source: build.mjs runs in a mirror of the repository (links to everything but action/) and its
// output is compared byte for byte with the bundle in the last commit.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';

const BUNDLE = 'action/dist/index.mjs';

/** A directory where build.mjs sees the repository's sources but writes only its own files. */
function buildMirror(): string {
  const mirror = mkdtempSync(join(tmpdir(), 'warden-action-build-'));
  for (const entry of readdirSync(REPO)) {
    // Outputs are real directories here, so the build writes nothing into the repository.
    if (['action', 'dist', 'schema', '.git'].includes(entry)) continue;
    symlinkSync(join(REPO, entry), join(mirror, entry));
  }
  mkdirSync(join(mirror, 'action/dist'), { recursive: true });
  mkdirSync(join(mirror, 'schema'));
  symlinkSync(join(REPO, 'action/src'), join(mirror, 'action/src'));
  return mirror;
}

describe('the committed Action bundle', () => {
  it('is byte for byte a fresh build of the source', () => {
    // Prepare
    const mirror = buildMirror();
    try {
      // Act
      const build = spawnSync(process.execPath, ['build.mjs', BUNDLE], {
        cwd: mirror,
        encoding: 'utf8',
        timeout: 60_000,
      });
      const committed = spawnSync('git', ['show', `HEAD:${BUNDLE}`], {
        cwd: REPO,
        encoding: 'buffer',
        maxBuffer: 64 * 1024 * 1024,
        timeout: 15_000,
      });

      // Assess
      expect(build.stderr).toBe('');
      expect(build.status).toBe(0);
      expect(committed.status).toBe(0);
      const fresh = readFileSync(join(mirror, BUNDLE));
      // On failure: run `node build.mjs` and commit action/dist with the source change.
      expect(fresh.equals(committed.stdout), `${BUNDLE} in HEAD is not a fresh build of action/src`).toBe(
        true,
      );
    } finally {
      rmSync(mirror, { recursive: true, force: true });
    }
  });
});
