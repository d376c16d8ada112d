// `npm run synth` as a user runs it: the built app bundle in its own node process, no AWS
// credentials or region in the environment, and no network needed.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';

interface LambdaProperties {
  Runtime: string;
  Architectures: string[];
  Environment: { Variables: Record<string, string> };
}

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

const DEPLOYABLE_SETTINGS = [
  '-c',
  'vpcId=vpc-0a1b2c3d4e5f67890',
  '-c',
  'subnetIds=subnet-0a1b2c3d4e5f67890,subnet-0f1e2d3c4b5a69870',
  '-c',
  'etcdEndpoints=https://10.0.0.11:2379,https://10.0.0.12:2379',
  '--context',
  'caAdministrators=arn:aws:iam::123456789012:role/etcd-ca-admin',
  '-c',
  'applyOnDrift=true',
];

// Loaded before the app (node --import): adds a secret without rotation (AwsSolutions-SMG4) to the
// app's stack when the app calls synth(). It patches the App class the bundle itself imports (the
// same aws-cdk-lib in node_modules), so only the app's own cdk-nag wiring can catch it.
const UNACKNOWLEDGED_FINDING = `import { App } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
const synth = App.prototype.synth;
App.prototype.synth = function (options) {
  new Secret(this.node.findChild('EtcdWarden'), 'UnrotatedSecret');
  return synth.call(this, options);
};
`;

let root: string;

beforeAll(() => {
  // Prepare: the layout of dist/ (infra/app.mjs next to functions/*), with stand-in function bundles.
  root = mkdtempSync(join(tmpdir(), 'warden-synth-'));
  mkdirSync(join(root, 'infra'));
  copyFileSync(join(REPO, 'dist/infra/app.mjs'), join(root, 'infra/app.mjs'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'unacknowledged-finding.mjs'), UNACKNOWLEDGED_FINDING);
  for (const name of ['issue-cert', 'apply-rbac']) {
    mkdirSync(join(root, 'functions', name), { recursive: true });
    writeFileSync(join(root, 'functions', name, 'index.mjs'), 'export const handler = async () => ({});\n');
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function synth(args: string[], cwd: string, preload?: string) {
  // No credentials, region or profile: synthesis must not need them. Nor vitest's NODE_ENV=test,
  // which switches CDK's validation to its in-memory mode (the whole report in the thrown error).
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('AWS_') && !k.startsWith('CDK_') && k !== 'NODE_ENV',
    ),
  );
  const node = preload ? ['--import', pathToFileURL(preload).href] : [];
  const run = spawnSync(process.execPath, [...node, join(root, 'infra/app.mjs'), ...args], {
    cwd,
    env: { ...env, AWS_CONFIG_FILE: '/nonexistent', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: run.status, stderr: run.stderr };
}

describe('npm run synth', () => {
  it('writes the cloud assembly offline with the given settings and cdk-nag passing', () => {
    // Prepare
    const cwd = mkdtempSync(join(root, 'run-'));
    // Act
    const run = synth(DEPLOYABLE_SETTINGS, cwd);
    // Assess
    expect(run).toEqual({ code: 0, stderr: '' });
    const template = JSON.parse(readFileSync(join(cwd, 'cdk.out/EtcdWarden.template.json'), 'utf8'));
    const functions = Object.values(
      template.Resources as Record<string, { Type: string; Properties: LambdaProperties }>,
    ).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions.map((f) => [f.Properties.Runtime, f.Properties.Architectures])).toEqual([
      ['nodejs24.x', ['arm64']],
      ['nodejs24.x', ['arm64']],
    ]);
    expect(functions[1]?.Properties.Environment.Variables).toMatchObject({
      ETCD_ENDPOINTS: 'https://10.0.0.11:2379,https://10.0.0.12:2379',
      APPLY_ON_DRIFT: 'true',
    });
    // CDK leaves a plugin that passed out of the report, as it does a plugin that never ran: the
    // next test shows that this bundle runs cdk-nag.
    const report = JSON.parse(readFileSync(join(cwd, 'cdk.out/validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });

  it('runs cdk-nag on the app: the same settings plus one unacknowledged finding fail synthesis', () => {
    // Prepare
    const cwd = mkdtempSync(join(root, 'run-'));
    // Act
    const run = synth(DEPLOYABLE_SETTINGS, cwd, join(root, 'unacknowledged-finding.mjs'));
    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('AwsSolutions-SMG4');
    expect(run.stderr).toMatch(/\netcd-warden infra: Validation failed\. .*validation-report\.json\n$/);
    const report: ValidationReport = JSON.parse(
      readFileSync(join(cwd, 'cdk.out/validation-report.json'), 'utf8'),
    );
    // Only the injected secret: the stack's own resources pass the same rules.
    expect(
      report.pluginReports.map((r) => ({
        plugin: r.pluginName,
        conclusion: r.conclusion,
        findings: r.violations.map((v) => [v.ruleName, v.violatingConstructs.map((c) => c.constructPath)]),
      })),
    ).toEqual([
      {
        plugin: 'AwsSolutions',
        conclusion: 'failure',
        findings: [['AwsSolutions-SMG4', ['EtcdWarden/UnrotatedSecret/Resource']]],
      },
    ]);
  });

  it('refuses a bad setting with one line and writes no template', () => {
    // Prepare
    const cwd = mkdtempSync(join(root, 'run-'));
    // Act
    const run = synth(['-c', 'etcdEndpoints=http://10.0.0.11:2379'], cwd);
    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'etcd-warden infra: etcdEndpoints: "http://10.0.0.11:2379" is plain HTTP; etcd-warden talks to etcd over TLS only\n',
    );
    expect(existsSync(join(cwd, 'cdk.out/EtcdWarden.template.json'))).toBe(false);
  });
});
