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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';

interface LambdaProperties {
  Runtime: string;
  Architectures: string[];
  Environment: { Variables: Record<string, string> };
}

let root: string;

beforeAll(() => {
  // Prepare: the layout of dist/ (infra/app.mjs next to functions/*), with stand-in function bundles.
  root = mkdtempSync(join(tmpdir(), 'warden-synth-'));
  mkdirSync(join(root, 'infra'));
  copyFileSync(join(REPO, 'dist/infra/app.mjs'), join(root, 'infra/app.mjs'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  for (const name of ['issue-cert', 'apply-rbac']) {
    mkdirSync(join(root, 'functions', name), { recursive: true });
    writeFileSync(join(root, 'functions', name, 'index.mjs'), 'export const handler = async () => ({});\n');
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function synth(args: string[], cwd: string) {
  // No credentials, region or profile: synthesis must not need them.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('CDK_')),
  );
  const run = spawnSync(process.execPath, [join(root, 'infra/app.mjs'), ...args], {
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
    const run = synth(
      [
        '-c',
        'vpcId=vpc-0a1b2c3d4e5f67890',
        '-c',
        'subnetIds=subnet-0a1b2c3d4e5f67890,subnet-0f1e2d3c4b5a69870',
        '-c',
        'etcdEndpoints=https://10.0.0.11:2379,https://10.0.0.12:2379',
        '--context',
        'caAdministrators=arn:aws:iam::123456789012:role/etcd-ca-admin',
      ],
      cwd,
    );
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
    expect(functions[1]?.Properties.Environment.Variables.ETCD_ENDPOINTS).toBe(
      'https://10.0.0.11:2379,https://10.0.0.12:2379',
    );
    const report = JSON.parse(readFileSync(join(cwd, 'cdk.out/validation-report.json'), 'utf8'));
    expect(report.pluginReports).toEqual([]);
  });

  it('refuses a bad setting with one line and writes no template', () => {
    // Prepare
    const cwd = mkdtempSync(join(root, 'run-'));
    // Act
    const run = synth(['-c', 'etcdEndpoints=http://10.0.0.11:2379'], cwd);
    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^etcd-warden infra: no vpcId, subnetIds given; using placeholders.*\n/);
    expect(run.stderr).toMatch(
      /\netcd-warden infra: etcdEndpoints: "http:\/\/10.0.0.11:2379" is plain HTTP; etcd-warden talks to etcd over TLS only\n$/,
    );
    expect(existsSync(join(cwd, 'cdk.out/EtcdWarden.template.json'))).toBe(false);
  });
});
