import { isWardenError } from '../shared/errors.js';
import { type CommandEntry, UsageError } from './command.js';
import { commands } from './commands/index.js';
import type { CliIo } from './io.js';

const help = (list: CommandEntry[]): string =>
  [
    'usage: etcd-warden <command> [options]',
    '',
    ...list.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`),
    '',
    'Run `etcd-warden <command> --help` for a command’s options.',
    '',
  ].join('\n');

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help(commands));
    return name ? 0 : 1;
  }
  // `ca init` and `cert issue` are two-word commands.
  const entry =
    commands.find((c) => c.name === `${name} ${rest[0] ?? ''}`.trim()) ??
    commands.find((c) => c.name === name);
  if (!entry) {
    io.err(`etcd-warden: unknown command "${name}"; run \`etcd-warden --help\`\n`);
    return 1;
  }
  const args = entry.name.includes(' ') ? rest.slice(1) : rest;
  const command = await entry.load();
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`usage: etcd-warden ${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    io.err(`etcd-warden: ${describe(error)}\n`);
    if (error instanceof UsageError) io.err(`usage: etcd-warden ${command.usage}\n`);
    return 1;
  }
}

// One readable line, never a stack: the message of a known error, the first line of anything else.
export function describe(error: unknown): string {
  if (isWardenError(error) || error instanceof UsageError) return error.message;
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? 'unexpected error';
}
