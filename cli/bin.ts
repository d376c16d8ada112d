// Entry point of the CLI bundle. The exit code comes from the command's result and from nothing
// else: until main() settles it says failure, so a command whose work Node abandons (nothing left
// pending but a promise, e.g. a call to an etcd member that died) can never exit 0.

import { readFileSync } from 'node:fs';
import { processIo } from './io.js';
import { describe, main } from './main.js';

process.exitCode = 1;
let settled = false;

// A reader that stops early (`| head`) closes the pipe: the rest of the output has nowhere to go,
// which is not the command's failure and must not end it with a stack trace. Its exit code stays
// the command's own.
const readerGone = new Set(['EPIPE', 'ERR_STREAM_DESTROYED']);
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (!readerGone.has(error.code ?? '')) throw error;
});
process.once('beforeExit', () => {
  if (!settled) process.stderr.write('etcd-warden: internal: the command did not finish\n');
});

/** How often a finished command looks whether its output is all written; most exit before. */
const EXIT_CHECK_MS = 100;

/** Ends the process once stdout and stderr hold nothing unwritten (pipes are asynchronous on macOS). */
function exitOnceWritten(): void {
  if (process.stdout.writableLength + process.stderr.writableLength === 0) process.exit();
  setTimeout(exitOnceWritten, EXIT_CHECK_MS).unref();
}

/**
 * A handle left open (gRPC still connecting to a member that accepted the connection and never
 * answered) must not keep a finished command running: once the result is known, the process ends.
 */
function finish(code: number): void {
  settled = true;
  process.exitCode = code;
  setTimeout(exitOnceWritten, EXIT_CHECK_MS).unref();
}

/** The package's version: the bundle is dist/cli/etcd-warden.mjs, two folders below package.json. */
const version = (): string => {
  try {
    return (
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
};

main(process.argv.slice(2), processIo(), { version: version() }).then(finish, (error) => {
  process.stderr.write(`etcd-warden: ${describe(error)}\n`);
  finish(1);
});
