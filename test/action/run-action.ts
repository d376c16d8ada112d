// Runs the committed Action bundle the way the runner does: a copy of action/ in a temp dir with
// no node_modules reachable, `node dist/index.mjs`, inputs as INPUT_* variables (upper-cased, hyphens
// kept), and GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and GITHUB_WORKSPACE files and directories.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO } from '../support/cli.js';

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** `::error file=…::` and `::warning file=…::` lines as the runner reads them. */
  annotations: string[];
}

export interface ActionHome {
  /** The copied action folder (action.yml, dist/). */
  actionDir: string;
  /** A fresh workspace, like a checkout of the user's repository. */
  workspace: string;
  write(path: string, text: string): string;
  run(inputs: Record<string, string>, env?: NodeJS.ProcessEnv): Promise<ActionRun>;
  remove(): void;
}

const RUN_TIMEOUT_MS = 60_000;

/** `name<<DELIMITER\nvalue\nDELIMITER` entries, the file command format @actions/core writes. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<]+)<<(.+)$/.exec(lines[i] as string);
    if (!match) continue;
    const [, name, delimiter] = match;
    const end = lines.indexOf(delimiter as string, i + 1);
    outputs[name as string] = lines.slice(i + 1, end).join('\n');
    i = end;
  }
  return outputs;
}

/** An environment without the test runner's own INPUT_*, GITHUB_*, RUNNER_* or AWS settings. */
function baseEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(INPUT_|GITHUB_|RUNNER_|AWS_|ETCDCTL_)/.test(name)),
  );
}

export function actionHome(): ActionHome {
  const root = mkdtempSync(join(tmpdir(), 'warden-action-'));
  const actionDir = join(root, 'action');
  cpSync(join(REPO, 'action/action.yml'), join(actionDir, 'action.yml'));
  cpSync(join(REPO, 'action/dist'), join(actionDir, 'dist'), { recursive: true });
  const workspace = join(root, 'workspace');
  const runnerTemp = join(root, 'runner-temp');
  mkdirSync(workspace);
  mkdirSync(runnerTemp);
  let runs = 0;
  return {
    actionDir,
    workspace,
    write(path, text) {
      const full = join(workspace, path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, text);
      return full;
    },
    run(inputs, env = {}) {
      runs++;
      const outputFile = join(root, `output-${runs}`);
      const summaryFile = join(root, `summary-${runs}`);
      writeFileSync(outputFile, '');
      writeFileSync(summaryFile, '');
      const inputEnv = Object.fromEntries(
        Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
      );
      return new Promise((resolve) => {
        const child = spawn(process.execPath, [join(actionDir, 'dist/index.mjs')], {
          cwd: workspace,
          env: {
            ...baseEnv(),
            ...inputEnv,
            GITHUB_ACTIONS: 'true',
            GITHUB_WORKSPACE: workspace,
            GITHUB_OUTPUT: outputFile,
            GITHUB_STEP_SUMMARY: summaryFile,
            RUNNER_TEMP: runnerTemp,
            ...env,
          },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => {
          stdout += d;
        });
        child.stderr.on('data', (d) => {
          stderr += d;
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({
            code,
            stdout,
            stderr,
            outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
            summary: readFileSync(summaryFile, 'utf8'),
            annotations: stdout.split('\n').filter((l) => /^::(error|warning) file=/.test(l)),
          });
        });
      });
    },
    remove() {
      if (existsSync(root)) rmSync(root, { recursive: true, force: true });
    },
  };
}
