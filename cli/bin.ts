// Entry point of the CLI bundle (dist/cli/etcd-warden.mjs, two folders below package.json).
import { readFileSync } from 'node:fs';
import { processIo } from './io.js';
import { describe, main } from './main.js';

const version = (): string => {
  try {
    return (
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
};

main(process.argv.slice(2), processIo(), { version: version() }).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`etcd-warden: ${describe(error)}\n`);
    process.exitCode = 1;
  },
);
