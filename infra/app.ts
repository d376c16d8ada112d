/**
 * The CDK app: `npm run synth` bundles and runs this file; it writes cdk.out/ with no AWS credentials
 * and no network (no fixed account or region, no lookups). cdk-nag's AwsSolutions rules run at
 * synthesis: an unacknowledged finding fails it.
 *
 *   npm run synth -- -c vpcId=vpc-… -c subnetIds=subnet-…,subnet-… -c etcdEndpoints=https://10.0.0.11:2379
 *
 * Then deploy the assembly with the AWS CDK CLI: `cdk deploy --app cdk.out`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { settingsFromContext } from './config.js';
import { withSecurityChecks } from './security-checks.js';
import { EtcdWardenStack } from './warden-stack.js';

// This file runs as dist/infra/app.mjs, next to the function bundles in dist/functions/.
const bundle = (name: string): string => {
  const dir = fileURLToPath(new URL(`../functions/${name}/`, import.meta.url));
  if (!existsSync(dir)) throw new Error(`${dir} is missing: \`npm run build\` makes the function bundles`);
  return dir;
};

try {
  const app = withSecurityChecks(
    // The CDK CLI passes its own output folder; run alone, the assembly goes to ./cdk.out.
    new App({ outdir: process.env.CDK_OUTDIR ?? 'cdk.out', ...contextFromArgs(process.argv.slice(2)) }),
  );
  const settings = settingsFromContext((key) => app.node.tryGetContext(key));
  if (settings.missing.length > 0) {
    process.stderr.write(
      `etcd-warden infra: no ${settings.missing.join(', ')} given; using placeholders ` +
        '(the template synthesizes but does not deploy). Pass them with -c KEY=VALUE.\n',
    );
  }
  new EtcdWardenStack(app, 'EtcdWarden', {
    ...settings.props,
    issueCertCode: bundle('issue-cert'),
    applyRbacCode: bundle('apply-rbac'),
    description: 'etcd-warden: etcd RBAC and certificates as code',
  });
  app.synth();
} catch (error) {
  // cdk-nag findings were printed above this line by the synthesis itself.
  process.stderr.write(`etcd-warden infra: ${(error as Error).message}\n`);
  process.exitCode = 1;
}

// `-c key=value` / `--context key=value`, as the CDK CLI takes them (it is not used here).
function contextFromArgs(args: string[]): { context: Record<string, string> } {
  const context: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg !== '-c' && arg !== '--context') throw new Error(`unknown argument ${arg}: use -c KEY=VALUE`);
    const pair = args[++i] ?? '';
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`-c ${pair}: expected KEY=VALUE`);
    context[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { context };
}
