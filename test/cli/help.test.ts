// Help, usage errors and the version, from each command's one declaration (cli/commands/specs.ts),
// through the built CLI; the README's command reference is that declaration's own rendering.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdownReference, parseCommand } from '../../cli/args.js';
import { type CommandSpec, SPECS } from '../../cli/commands/specs.js';
import { REPO, runCli } from '../support/cli.js';

const BIN = join(REPO, 'bin', 'etcd-warden.js');

const specs: CommandSpec[] = Object.values(SPECS);

describe('help from the declarations', () => {
  it.each(specs.map((s) => [s.name]))(
    '%s --help: usage, every flag with its meaning, exit codes, an example',
    (name) => {
      // Prepare
      const spec = specs.find((s) => s.name === name) as CommandSpec;
      // Act
      const run = runCli([...name.split(' '), '--help']);
      const viaHelp = runCli(['help', ...name.split(' ')]);
      // Assess
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.stdout.startsWith(`usage: etcd-warden ${name}`)).toBe(true);
      for (const [flag, declared] of Object.entries(spec.flags)) {
        expect(run.stdout).toMatch(
          new RegExp(`^  --${flag}\\b.* ${declared.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'),
        );
      }
      expect(run.stdout).toContain('exit codes:\n  0  done\n');
      expect(run.stdout).toContain('  2  ');
      expect(run.stdout).toContain(`example:\n  ${spec.example}\n`);
      expect(viaHelp).toEqual(run);
    },
  );

  it.each(specs.map((s) => [s.name, s.example]))(
    '%s: its example uses only declared flags',
    (name, example) => {
      // Prepare
      const spec = specs.find((s) => s.name === name) as CommandSpec;
      // Split as a shell would split it: 'quoted words' stay one.
      const words = (example.replace(/ > \S+$/, '').match(/'[^']*'|\S+/g) ?? []).map((w) =>
        w.replace(/^'|'$/g, ''),
      );
      const args = words.slice(1 + name.split(' ').length);
      // Act + Assess: parsing would throw on an undeclared flag
      expect(() => parseCommand(spec, args)).not.toThrow();
    },
  );

  it('says the defaults and the variables a flag falls back to', () => {
    // Act
    const plan = runCli(['plan', '--help']).stdout;
    const cert = runCli(['cert', 'issue', '--help']).stdout;
    // Assess
    expect(plan).toMatch(/--policy FILE .*\(default etcd-warden\.yaml\)/);
    expect(plan).toMatch(/--endpoints URLS .*\(env ETCDCTL_ENDPOINTS\)/);
    expect(plan).toMatch(/--command-timeout DURATION .*\(default 5s\)/);
    expect(cert).toMatch(/--ca-store URL .*\(env ETCD_WARDEN_CA_STORE; default file:\/\/\.etcd-warden\)/);
  });

  it('ca and cert alone list their commands (exit 2); help ca lists them (exit 0)', () => {
    // Act
    const ca = runCli(['ca']);
    const cert = runCli(['cert']);
    const helpCa = runCli(['help', 'ca']);
    // Assess
    expect(ca.code).toBe(2);
    expect(ca.stderr).toMatch(
      /^usage: etcd-warden ca <command> \[options\]\n\n {2}ca init .*\n {2}ca show .*\n {2}ca crl .*\n$/,
    );
    expect(cert.code).toBe(2);
    expect(cert.stderr).toContain('  cert issue ');
    expect(helpCa.code).toBe(0);
    expect(helpCa.stdout).toBe(ca.stderr);
  });

  it('help alone and --help list every command; no command at all is a usage error', () => {
    // Act
    const help = runCli(['help']);
    const flag = runCli(['--help']);
    const none = runCli([]);
    // Assess
    expect(help.code).toBe(0);
    for (const spec of specs) expect(help.stdout).toContain(`  ${spec.name.padEnd(12)} ${spec.summary}\n`);
    expect(flag.stdout).toBe(help.stdout);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(help.stdout);
  });

  it('--version prints the package version', () => {
    // Act
    const run = runCli(['--version']);
    // Assess
    const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(run).toEqual({ code: 0, stdout: `etcd-warden ${version}\n`, stderr: '' });
  });
});

describe('usage errors', () => {
  it.each([
    [['validate', '--fromat', 'json'], 'unknown option --fromat for validate (did you mean --format?)'],
    [['validate', '--fromat=json'], 'unknown option --fromat for validate (did you mean --format?)'],
    [['plan', '--bogus'], 'unknown option --bogus for plan'],
    [['apply', '--yse'], 'unknown option --yse for apply (did you mean --yes?)'],
    [['cert', 'issue', 'app', '--tl', '1h'], 'unknown option --tl for cert issue (did you mean --ttl?)'],
    [['validate', '--format'], 'option --format for validate needs a value (text|json)'],
    [['validate', '--summary=yes'], 'option --summary for validate takes no value'],
  ])('%j: one line, then the usage line, exit 2', (args, message) => {
    // Act
    const run = runCli(args);
    // Assess
    const name = args[0] === 'cert' ? 'cert issue' : (args[0] as string);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const [line, usage, ...rest] = run.stderr.split('\n');
    expect(line).toBe(`etcd-warden: ${message}`);
    expect(usage?.startsWith(`usage: etcd-warden ${name} `)).toBe(true);
    expect(rest).toEqual(['']);
  });

  it('an unknown command: one line, exit 2', () => {
    // Act
    const run = runCli(['pan']);
    // Assess
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'etcd-warden: unknown command "pan"; run `etcd-warden help`\n',
    });
  });
});

describe('the README command reference', () => {
  it('is the rendering of the declarations, word for word', () => {
    // Prepare
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    const start = '<!-- command reference: generated by `etcd-warden help --markdown` -->\n';
    const end = '<!-- end of command reference -->';
    // Assess
    expect(readme).toContain(start);
    const section = readme.slice(readme.indexOf(start) + start.length, readme.indexOf(end));
    expect(section).toBe(`\n${markdownReference()}`);
    expect(runCli(['help', '--markdown']).stdout).toBe(markdownReference());
  });
});

describe('output to a reader that stops early', () => {
  it('validate --format json | head -c 16: no stack trace, the exit code is the verdict', () => {
    // Prepare: a policy with many findings, so that the JSON is far larger than a pipe's buffer.
    const dir = mkdtempSync(join(tmpdir(), 'warden-epipe-'));
    const file = join(dir, 'policy.yaml');
    writeFileSync(
      file,
      `version: 1\nusers:\n  root:\n    roles: [root]\nroles:\n  x:\n${'    - \n'.repeat(5000)}`,
    );
    // Act
    const run = spawnSync(
      'bash',
      [
        '-c',
        `node "$0" validate --format json "$1" | head -c 16 >/dev/null; echo "\${PIPESTATUS[0]}"`,
        BIN,
        file,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    // Assess
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('1');
  });
});
