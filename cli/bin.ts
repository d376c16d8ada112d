// Entry point of the CLI bundle. The exit code comes from the command's result and from nothing
// else: until main() settles it says failure, so a command whose work Node abandons (nothing left
// pending but a promise, e.g. a call to an etcd member that died) can never exit 0.

import { processIo } from './io.js';
import { describe, main } from './main.js';

process.exitCode = 1;
let settled = false;
process.once('beforeExit', () => {
  if (!settled) process.stderr.write('etcd-warden: internal: the command did not finish\n');
});

/** Time for output still on its way out; a command that left nothing open exits before it. */
const EXIT_GRACE_MS = 100;

/**
 * A handle left open (gRPC still connecting to a member that accepted the connection and never
 * answered) must not keep a finished command running: once the result is known, the process ends.
 */
function finish(code: number): void {
  settled = true;
  process.exitCode = code;
  setTimeout(() => process.exit(), EXIT_GRACE_MS).unref();
}

main(process.argv.slice(2), processIo()).then(finish, (error) => {
  process.stderr.write(`etcd-warden: ${describe(error)}\n`);
  finish(1);
});
