// One sandbox per folder: `dev` started while another runs there would start a second etcd on
// the same ports and rewrite the running sandbox's certificates and keys. Before touching any
// file it checks the folder's lock (the pid of the dev that holds it) and that its ports are free.
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { WardenError } from '../../shared/errors.js';

const LOCK_FILE = 'dev.pid';

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

async function runningHolder(dir: string): Promise<number | undefined> {
  const text = await readFile(join(dir, LOCK_FILE), 'utf8').catch(() => '');
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isRunning(pid) ? pid : undefined;
}

/** Whether something listens on 127.0.0.1:port already. */
const portInUse = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(false)));
  });

export interface SandboxLock {
  release: () => Promise<void>;
}

/**
 * Takes the folder's lock, or refuses in one line naming what holds it: a running dev (its pid),
 * or a port in use (an etcd left behind by a dev that was killed, or anything else).
 */
export async function lockSandbox(dir: string, ports: Record<string, number>): Promise<SandboxLock> {
  const holder = await runningHolder(dir);
  if (holder !== undefined) {
    throw new WardenError(
      'conflict',
      `a sandbox already runs in ${dir} (dev, pid ${holder}); stop it first (Ctrl-C)`,
    );
  }
  for (const [name, port] of Object.entries(ports)) {
    if (await portInUse(port)) {
      throw new WardenError(
        'conflict',
        `port ${port} on 127.0.0.1 (--${name}) is in use: another sandbox's etcd, or something else; free it or choose another with --${name}`,
      );
    }
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, LOCK_FILE);
  // A stale lock (its dev is gone) is replaced; two devs starting at once: one wins the exclusive create.
  await rm(file, { force: true });
  const handle = await open(file, 'wx', 0o644).catch(() => {
    throw new WardenError('conflict', `a sandbox is starting in ${dir} at this moment; try again`);
  });
  await handle.writeFile(`${process.pid}\n`);
  await handle.close();
  return { release: () => rm(file, { force: true }) };
}
