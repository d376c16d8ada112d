import type { CliIo } from './io.js';

/** One `etcd-warden` sub-command. `run` returns the process exit code. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** A usage mistake: the CLI prints it as one line plus the command's usage, exit 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
