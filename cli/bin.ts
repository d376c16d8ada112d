// Entry point of the CLI bundle.

import { processIo } from './io.js';
import { describe, main } from './main.js';

main(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`etcd-warden: ${describe(error)}\n`);
    process.exitCode = 1;
  },
);
