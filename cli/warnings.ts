// Warnings a command found about the cluster (server-versions.ts): on stderr, one line each, so
// stdout stays the command's answer; `--json` outputs carry them in their own `warnings` too.
import type { CliIo } from './io.js';

export function printWarnings(io: CliIo, warnings: readonly string[]): void {
  for (const warning of warnings) io.err(`etcd-warden: warning: ${warning}\n`);
}
