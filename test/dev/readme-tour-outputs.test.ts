// What the README's tour writes into the working directory (`--out`, `--dir`) stays out of git,
// so that trying the tour in a checkout leaves `git status` clean.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';

/** The paths the tour's commands write to, from its `--out` and `--dir` options. */
function tourOutputs(): string[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const tour = /## A five-minute tour\n+```sh\n([\s\S]*?)\n```/.exec(readme)?.[1] ?? '';
  return [...new Set([...tour.matchAll(/--(?:out|dir) (\S+)/g)].map((m) => m[1] ?? ''))];
}

/**
 * Whether git ignores `path` (relative to the repository), tracked or not. The path need not exist,
 * so a name without an extension is taken for the folder the tour writes files into.
 */
function ignored(path: string): boolean {
  const asWritten = /\.\w+$/.test(path) ? path : `${path}/`;
  const check = spawnSync('git', ['check-ignore', '--no-index', '--quiet', asWritten], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 10_000,
  });
  // 0: ignored, 1: not ignored; anything else (no git, not a repository) is an error.
  if (check.status !== 0 && check.status !== 1)
    throw new Error(`git check-ignore ${asWritten}: ${check.status} ${check.stderr}`);
  return check.status === 0;
}

describe("the README tour's outputs", () => {
  it('are ignored by git: certificates and the imported policy', () => {
    // Prepare
    const outputs = tourOutputs();
    // Act
    const notIgnored = outputs.filter((path) => !ignored(path));
    // Assess
    expect(outputs).toEqual(['certs', 'current.yaml']);
    expect(notIgnored).toEqual([]);
  });

  it('are told apart from what the repository keeps, and from a certs/ below its root', () => {
    // Act
    const kept = ['README.md', 'examples/calico-advanced.yaml', 'examples/certs'].filter(
      (path) => !ignored(path),
    );
    // Assess: only the repository root's certs/ is ignored, not a certs/ elsewhere
    expect(kept).toEqual(['README.md', 'examples/calico-advanced.yaml', 'examples/certs']);
  });
});
