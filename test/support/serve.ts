// `etcd-warden serve` (the built CLI) as a child process on a free loopback port, for the tests
// that talk to it over HTTP; started and stopped within bounded time.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './cli.js';

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  stop: () => Promise<void>;
}

const START_MS = 15_000;
const STOP_MS = 5_000;

/** Resolves once serve prints its listening line; `args` follow `serve` (a port is chosen for you). */
export function startServe(args: string[], cwd: string): Promise<ServeProcess> {
  const child = spawn(process.execPath, [join(REPO, 'bin/etcd-warden.js'), 'serve', '--port', '0', ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, STOP_MS))]);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), START_MS);
    let out = '';
    child.stdout?.on('data', (chunk) => {
      out += chunk;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url, stderr: () => stderr, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code}: ${stderr}`));
    });
  });
}
