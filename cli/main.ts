import { isWardenError } from '../shared/errors.js';
import { commandHelp, markdownReference, usageLine } from './args.js';
import { type CommandEntry, USAGE_EXIT, UsageError } from './command.js';
import { commands } from './commands/index.js';
import type { CliIo } from './io.js';

const listing = (list: CommandEntry[]): string[] =>
  list.map((c) => `  ${c.spec.name.padEnd(12)} ${c.spec.summary}`);

const help = (): string =>
  [
    'usage: etcd-warden <command> [options]',
    '',
    ...listing(commands),
    '',
    'Run `etcd-warden help <command>` (or `etcd-warden <command> --help`) for its options, defaults and exit codes.',
    '`etcd-warden --version` prints the version.',
    '',
  ].join('\n');

/** `ca` and `cert` alone: the commands under them. */
const groupHelp = (group: string, list: CommandEntry[]): string =>
  [`usage: etcd-warden ${group} <command> [options]`, '', ...listing(list), ''].join('\n');

const isHelpFlag = (arg: string | undefined) => arg === '--help' || arg === '-h';

/** The command that `words` name: a two-word one (`ca init`) before a one-word one. */
function find(words: string[]): { entry?: CommandEntry; group: CommandEntry[]; rest: string[] } {
  const [first = '', second] = words;
  const entry = commands.find((c) => c.spec.name === `${first} ${second ?? ''}`.trim());
  if (entry && second !== undefined) return { entry, group: [], rest: words.slice(2) };
  const single = commands.find((c) => c.spec.name === first);
  if (single) return { entry: single, group: [], rest: words.slice(1) };
  return { group: commands.filter((c) => c.spec.name.startsWith(`${first} `)), rest: words.slice(1) };
}

export interface ProgramInfo {
  version: string;
}

export async function main(argv: string[], io: CliIo, program: ProgramInfo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    io.out(`etcd-warden ${program.version}\n`);
    return 0;
  }
  if (name === undefined) {
    io.err(help());
    return USAGE_EXIT;
  }
  if (isHelpFlag(name) || (name === 'help' && rest.length === 0)) {
    io.out(help());
    return 0;
  }
  if (name === 'help' && rest[0] === '--markdown') {
    io.out(markdownReference());
    return 0;
  }
  const asked = name === 'help' ? rest : argv;
  const { entry, group, rest: args } = find(asked);
  if (!entry) {
    if (group.length > 0) {
      const wantsHelp = name === 'help' || isHelpFlag(args[0]);
      (wantsHelp ? io.out : io.err)(groupHelp(asked[0] as string, group));
      return wantsHelp ? 0 : USAGE_EXIT;
    }
    io.err(`etcd-warden: unknown command "${asked.join(' ')}"; run \`etcd-warden help\`\n`);
    return USAGE_EXIT;
  }
  if (name === 'help' || args.some(isHelpFlag)) {
    io.out(commandHelp(entry.spec));
    return 0;
  }
  const command = await entry.load();
  try {
    return await command.run(args, io);
  } catch (error) {
    io.err(`etcd-warden: ${describe(error)}\n`);
    if (error instanceof UsageError) {
      io.err(`usage: ${usageLine(entry.spec)}\n`);
      return USAGE_EXIT;
    }
    return 1;
  }
}

// One readable line, never a stack: the message of a known error, the first line of anything else.
export function describe(error: unknown): string {
  if (isWardenError(error) || error instanceof UsageError) return error.message;
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? 'unexpected error';
}
