// Parsing and help from the one declaration of each command (commands/specs.ts), on node:util's
// parseArgs. Its own error texts ("To specify a positional argument starting with a '-', place it
// at the end…") never reach a user: an unknown flag is one line with a suggestion, then the usage.
import { parseArgs } from 'node:util';
import { UsageError } from './command.js';
import { type CommandSpec, type FlagSpec, type Flags, SHARED_EXIT_CODES, SPECS } from './commands/specs.js';

type ValueOf<F extends FlagSpec> = F['type'] extends 'boolean'
  ? boolean
  : F extends { default: string }
    ? string
    : string | undefined;

export interface ParsedArgs<F extends Flags> {
  values: { -readonly [K in keyof F]: ValueOf<F[K]> };
  positionals: string[];
}

/** The edit distance of two short words, for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min(
          (previous[j] as number) + 1,
          (current[j - 1] as number) + 1,
          (previous[j - 1] as number) + cost,
        ),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

function suggestion(flag: string, spec: CommandSpec): string {
  const best = Object.keys(spec.flags)
    .map((name) => ({ name, d: distance(flag, name) }))
    .sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(2, Math.floor(flag.length / 3)) ? ` (did you mean --${best.name}?)` : '';
}

export function parseCommand<F extends Flags>(spec: CommandSpec<F>, args: string[]): ParsedArgs<F> {
  const options = Object.fromEntries(
    Object.entries(spec.flags).map(([name, flag]) => [
      name,
      flag.type === 'boolean'
        ? { type: 'boolean' as const, default: false }
        : { type: 'string' as const, ...(flag.default === undefined ? {} : { default: flag.default }) },
    ]),
  );
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true }) as unknown as ParsedArgs<F>;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const flag = /'(-{1,2}[^'\s]*)/.exec((error as Error).message)?.[1] ?? '';
    const bare = flag.replace(/^-+/, '').split('=')[0] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new UsageError(`unknown option ${flag.split('=')[0]} for ${spec.name}${suggestion(bare, spec)}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const declared = spec.flags[bare];
      throw new UsageError(
        declared?.type === 'boolean'
          ? `option --${bare} for ${spec.name} takes no value`
          : `option --${bare} for ${spec.name} needs a value (${declared?.value ?? 'VALUE'})`,
      );
    }
    throw new UsageError(`${spec.name}: ${(error as Error).message.split('\n')[0]}`);
  }
}

export function usageLine(spec: CommandSpec): string {
  const flags = Object.entries(spec.flags).map(([name, f]) =>
    f.type === 'boolean' ? `[--${name}]` : `[--${name} ${f.value ?? 'VALUE'}]`,
  );
  return ['etcd-warden', spec.name, spec.operands, ...flags].filter(Boolean).join(' ');
}

function defaultText(flag: FlagSpec): string {
  const parts = [
    flag.env && `env ${flag.env}`,
    flag.default !== undefined ? `default ${flag.default}` : flag.fallback && `default ${flag.fallback}`,
  ].filter(Boolean);
  return parts.length ? ` (${parts.join('; ')})` : '';
}

const exitCodesOf = (spec: CommandSpec): [string, string][] =>
  Object.entries({ ...SHARED_EXIT_CODES, ...spec.exitCodes });

/** `etcd-warden CMD --help`: usage, flags with defaults and variables, exit codes, an example. */
export function commandHelp(spec: CommandSpec): string {
  const width =
    Math.max(...Object.entries(spec.flags).map(([n, f]) => n.length + (f.value ? f.value.length + 1 : 0))) +
    4;
  const flags = Object.entries(spec.flags).map(([name, f]) => {
    const head = `--${name}${f.type === 'string' ? ` ${f.value ?? 'VALUE'}` : ''}`;
    return `  ${head.padEnd(width)} ${f.description}${defaultText(f)}`;
  });
  return [
    `usage: ${usageLine(spec)}`,
    '',
    spec.summary,
    '',
    'options:',
    ...flags,
    `  ${'--help'.padEnd(width)} this help`,
    '',
    'exit codes:',
    ...exitCodesOf(spec).map(([code, meaning]) => `  ${code}  ${meaning}`),
    '',
    'example:',
    `  ${spec.example}`,
    '',
  ].join('\n');
}

// A table cell holds no bare pipe: `text|json` would end the cell.
const cell = (text: string): string => text.replaceAll('|', '\\|');

/** The README's command reference: every command's usage, flags and exit codes. */
export function markdownReference(): string {
  const sections = Object.values(SPECS as Record<string, CommandSpec>).map((spec) => {
    const rows = Object.entries(spec.flags).map(
      ([name, f]) =>
        `| \`--${name}${f.type === 'string' ? ` ${cell(f.value ?? 'VALUE')}` : ''}\` | ${cell(`${f.description}${defaultText(f)}`)} |`,
    );
    const codes = exitCodesOf(spec)
      .map(([code, meaning]) => `${code} ${meaning}`)
      .join('; ');
    return [
      `### \`${spec.name}\``,
      '',
      `${spec.summary}: \`${usageLine(spec)}\``,
      '',
      '| flag | meaning |',
      '|---|---|',
      ...rows,
      '',
      `Exit codes: ${codes}. Example: \`${spec.example}\``,
      '',
    ].join('\n');
  });
  return sections.join('\n');
}
