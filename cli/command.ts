import type { CliIo } from './io.js';

/** What a sub-command does once loaded. `run` returns the process exit code. */
export interface Command {
  usage: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/**
 * A sub-command as `--help` lists it. Its module is loaded only when it runs, so that `plan` never
 * parses the PKI or the AWS SDK and `cert issue` never parses the etcd client.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

/** A usage mistake: the CLI prints it as one line plus the command's usage, exit 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
