// The committed bundle is what the runner executes, so it must be exactly a fresh build of the
// source: build.mjs runs in a mirror of the repository (links to everything but action/) and its
// output (the bundle alone: etcd3 and its service definitions are inside it) is compared byte for byte with
// action/dist in the last commit.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';

const BUNDLE = 'action/dist/index.mjs';
const DIST = 'action/dist';

/** Every file under `dir`, as paths relative to it, sorted. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();

const committedFile = (path: string) =>
  spawnSync('git', ['show', `HEAD:${path}`], {
    cwd: REPO,
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 15_000,
  });

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
      const built = filesUnder(join(mirror, DIST));
      const committed = spawnSync('git', ['ls-tree', '-r', '--name-only', 'HEAD', DIST], {
        cwd: REPO,
        encoding: 'utf8',
        timeout: 15_000,
      });

      // Assess
      expect(build.stderr).toBe('');
      expect(build.status).toBe(0);
      expect(built).toEqual(['index.mjs']);
      expect(committed.stdout.trim().split('\n').sort()).toEqual(built.map((f) => `${DIST}/${f}`));
      for (const file of built) {
        const inHead = committedFile(`${DIST}/${file}`);
        expect(inHead.status).toBe(0);
        // On failure: run `node build.mjs` and commit action/dist with the source change.
        expect(
          readFileSync(join(mirror, DIST, file)).equals(inHead.stdout),
          `${DIST}/${file} in HEAD is not a fresh build of action/src`,
        ).toBe(true);
      }
    } finally {
      rmSync(mirror, { recursive: true, force: true });
    }
  });
});
