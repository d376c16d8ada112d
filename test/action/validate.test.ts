// validate through the committed bundle, run as the runner runs it: annotations on the policy's
// lines and columns (the first ones of each kind), every finding in the job summary, exit 1 on
// errors; bad inputs are one `::error::` line and never a stack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionHome, actionHome } from './run-action.js';

/** 12 range-order errors and 11 prefix-slash warnings, one per role, in file order. */
function brokenPolicy(): string {
  const lines = ['version: 1', 'auth: enabled', 'roles:'];
  for (let i = 0; i < 12; i++)
    lines.push(`  bad-${i}:`, `    - { range: { from: /z${i}/, to: /a/ }, access: read }`);
  for (let i = 0; i < 11; i++) lines.push(`  warn-${i}:`, `    - { prefix: /w${i}, access: read }`);
  const roles = [
    ...Array.from({ length: 12 }, (_, i) => `bad-${i}`),
    ...Array.from({ length: 11 }, (_, i) => `warn-${i}`),
  ];
  lines.push('users:', '  root:', '    roles: [root]', '  app:', `    roles: [${roles.join(', ')}]`);
  return `${lines.join('\n')}\n`;
}

describe('the Action: validate', () => {
  let home: ActionHome;

  beforeAll(() => {
    home = actionHome();
    home.write('policies/broken.yaml', brokenPolicy());
    home.write('etcd-warden.yaml', 'version: 1\nauth: enabled\nusers:\n  root:\n    roles: [root]\n');
  });

  afterAll(() => home?.remove());

  it('annotates the first errors and warnings on their lines, lists all in the summary, and fails', async () => {
    // Act
    const run = await home.run({ command: 'validate', policy: 'policies/broken.yaml' });

    // Assess
    expect(run.code).toBe(1);
    const errors = run.annotations.filter((a) => a.startsWith('::error '));
    const warnings = run.annotations.filter((a) => a.startsWith('::warning '));
    // Nine errors: the step's own failure line is the tenth GitHub shows.
    expect(errors).toHaveLength(9);
    expect(errors[0]).toBe(
      '::error file=policies/broken.yaml,line=5,col=16::range.from "/z0/" must sort before range.to "/a/" [range-order]',
    );
    expect(errors[8]).toMatch(/^::error file=policies\/broken.yaml,line=21,col=16::range.from "\/z8\/"/);
    expect(warnings).toHaveLength(10);
    expect(warnings[0]).toMatch(
      /^::warning file=policies\/broken.yaml,line=29,col=17::prefix "\/w0" does not end in "\/"/,
    );
    expect(run.stdout).toContain('::error::policies/broken.yaml is invalid: 12 errors\n');
    expect(run.summary).toContain('policies/broken.yaml is invalid**: 12 errors, 11 warnings.');
    for (let i = 0; i < 12; i++) {
      expect(run.summary).toContain(
        `| policies/broken.yaml:${5 + 2 * i}:16 | error | range-order | range.from "/z${i}/"`,
      );
    }
    expect(run.summary).toContain('| policies/broken.yaml:49:17 | warning | prefix-slash | prefix "/w10"');
    expect(run.summary).toContain('4 findings above are listed here only');
    expect(run.outputs).toEqual({});
    expect(run.stderr).toBe('');
  });

  it('passes a valid policy (the default path) with a summary and no annotations', async () => {
    // Act
    const run = await home.run({});

    // Assess
    expect(run.code).toBe(0);
    expect(run.annotations).toEqual([]);
    expect(run.stdout).not.toContain('::error');
    expect(run.summary).toContain('✅ **etcd-warden.yaml is valid**.');
  });

  it('fails on a YAML syntax error with its position', async () => {
    // Prepare
    home.write('syntax.yaml', 'version: 1\nusers:\n  root: [unclosed\n');

    // Act
    const run = await home.run({ command: 'validate', policy: 'syntax.yaml' });

    // Assess
    expect(run.code).toBe(1);
    expect(run.annotations).toHaveLength(1);
    expect(run.annotations[0]).toMatch(/^::error file=syntax.yaml,line=\d+,col=\d+::/);
  });

  it('reports a missing policy file and an unknown command as one line, never a stack', async () => {
    // Act
    const missing = await home.run({ command: 'validate', policy: 'nope.yaml' });
    const unknown = await home.run({ command: 'destroy' });

    // Assess
    expect(missing.code).toBe(1);
    expect(missing.stdout.trim()).toBe(
      '::error::cannot read policy nope.yaml: no such file (input "policy" is relative to the workspace)',
    );
    expect(missing.summary).toContain('❌ cannot read policy nope.yaml');
    expect(unknown.code).toBe(1);
    expect(unknown.stdout.trim()).toBe(
      '::error::input "command" must be validate, plan or apply (got "destroy")',
    );
    for (const run of [missing, unknown]) {
      expect(run.stderr).toBe('');
      expect(run.stdout).not.toMatch(/\n\s+at /);
    }
  });

  it('refuses plan and apply without a target, before reading etcd or AWS', async () => {
    // Act
    const plan = await home.run({ command: 'plan' });
    const both = await home.run({
      command: 'apply',
      'function-name': 'apply-rbac',
      endpoints: '127.0.0.1:1',
    });

    // Assess
    expect(plan.code).toBe(1);
    expect(plan.stdout.trim()).toBe(
      '::error::plan and apply need a target: function-name, or endpoints, ca, cert and key',
    );
    expect(both.code).toBe(1);
    expect(both.stdout.trim()).toBe(
      '::error::give either function-name or endpoints/ca/cert/key, not both (also got endpoints)',
    );
  });
});
