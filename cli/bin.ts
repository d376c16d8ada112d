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

main(process.argv.slice(2), processIo()).then(
  (code) => {
    settled = true;
    process.exitCode = code;
  },
  (error) => {
    settled = true;
    process.stderr.write(`etcd-warden: ${describe(error)}\n`);
    process.exitCode = 1;
  },
);
