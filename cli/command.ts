import type { CommandSpec } from './commands/specs.js';
import type { CliIo } from './io.js';

/** What a sub-command does once loaded. `run` returns the process exit code. */
export interface Command {
  run(args: string[], io: CliIo): Promise<number>;
}

/**
 * A sub-command as help lists it: its declaration, and its code loaded only when it runs, so that
 * `plan` never parses the PKI or the AWS SDK and `cert issue` never parses the etcd client.
 */
export interface CommandEntry {
  spec: CommandSpec;
  load(): Promise<Command>;
}

/** A usage mistake: the CLI prints it as one line plus the command's usage, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The exit code of a usage mistake, as getopt-style tools use it. */
export const USAGE_EXIT = 2;
