import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, Duration, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskOf } from '../../functions/apply-rbac/events.js';
import { withSecurityChecks } from '../../infra/security-checks.js';
import { EtcdWardenStack, type EtcdWardenStackProps } from '../../infra/warden-stack.js';
import {
  ACCOUNT_ROOT,
  functionRolesAssumableBeyondLambda,
  functionUrlsWithoutIamAuth,
  issueCertInvokableOutsideUrl,
  keyPolicyPrincipalsBeyond,
  scheduleTargetsWithoutTheScheduledEvent,
  secretReadersBeyond,
  type Template as TemplateJson,
  wildcardSecretOrKmsGrants,
} from './template-checks.js';

const CA_ADMIN = 'arn:aws:iam::123456789012:role/etcd-ca-admin';
const INVOKER = 'arn:aws:iam::123456789012:role/k8s-node';

let work: string;
let settings: EtcdWardenStackProps;

beforeAll(() => {
  // Stand-ins for the function bundles: the stack only packages the folders.
  work = mkdtempSync(join(tmpdir(), 'warden-infra-'));
  for (const name of ['issue-cert', 'apply-rbac']) {
    mkdirSync(join(work, name));
    writeFileSync(join(work, name, 'index.mjs'), `export const handler = async () => '${name}';\n`);
  }
  settings = {
    issueCertCode: join(work, 'issue-cert'),
    applyRbacCode: join(work, 'apply-rbac'),
    vpcId: 'vpc-0a1b2c3d4e5f67890',
    subnetIds: ['subnet-0a1b2c3d4e5f67890', 'subnet-0f1e2d3c4b5a69870'],
    etcdEndpoints: ['https://10.0.0.11:2379', 'etcd-2.example.internal:2379'],
    caAdministrators: [CA_ADMIN],
    issueCertInvokers: [INVOKER],
    driftCheckInterval: Duration.minutes(30),
  };
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function build(overrides: Partial<EtcdWardenStackProps> = {}) {
  const app = new App({ outdir: mkdtempSync(join(work, 'out-')) });
  const stack = new EtcdWardenStack(app, 'EtcdWarden', { ...settings, ...overrides });
  return { app, stack };
}

const id = (stack: Stack, element: unknown) => stack.getLogicalId(element as CfnElement);
const roleArn = (stack: Stack, fn: lambda.Function) => ({
  'Fn::GetAtt': [id(stack, fn.role?.node.defaultChild), 'Arn'],
});
const json = (stack: Stack) => Template.fromStack(stack).toJSON() as TemplateJson;

/** The security checks, with the readers each secret may have. */
function securityProblems(stack: EtcdWardenStack, caAdministrators: string[] = [CA_ADMIN]) {
  const template = json(stack);
  const functions = [roleArn(stack, stack.issueCert), roleArn(stack, stack.applyRbac)];
  return [
    ...functionUrlsWithoutIamAuth(template),
    ...wildcardSecretOrKmsGrants(template),
    ...secretReadersBeyond(template, id(stack, stack.caSecret.secret), [...functions, ...caAdministrators]),
    ...secretReadersBeyond(template, id(stack, stack.policySecret.secret), functions),
    ...keyPolicyPrincipalsBeyond(template, functions),
    ...functionRolesAssumableBeyondLambda(template),
    ...issueCertInvokableOutsideUrl(template, id(stack, stack.issueCert.node.defaultChild)),
  ];
}

describe('EtcdWardenStack template', () => {
  let stack: EtcdWardenStack;
  let template: Template;

  beforeAll(() => {
    // Prepare
    stack = build().stack;
    // Act
    template = Template.fromStack(stack);
  });

  it('passes the security checks: IAM-only URL, exact secret/KMS resources, secrets readable only by their readers, key and roles for the account and Lambda only', () => {
    // Assess
    expect(securityProblems(stack)).toEqual([]);
  });

  it('puts issue-cert behind a function URL with AWS_IAM auth, invokable by the given principals', () => {
    // Assess
    template.resourceCountIs('AWS::Lambda::Url', 1);
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      TargetFunctionArn: { 'Fn::GetAtt': [id(stack, stack.issueCert.node.defaultChild), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      Principal: INVOKER,
      FunctionUrlAuthType: 'AWS_IAM',
    });
    // Function URLs also need lambda:InvokeFunction, limited to calls through the URL.
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: INVOKER,
      InvokedViaFunctionUrl: true,
    });
    template.resourceCountIs('AWS::Lambda::Permission', 4);
  });

  it('runs both functions on Node.js 24, arm64, index.handler, with the secrets and endpoints configured', () => {
    // Assess
    const ca = { Ref: id(stack, stack.caSecret.secret) };
    const policy = { Ref: id(stack, stack.policySecret.secret) };
    template.resourceCountIs('AWS::Lambda::Function', 2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'etcd-warden-issue-cert',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Role: roleArn(stack, stack.issueCert),
      Environment: { Variables: { CA_SECRET_ID: ca, POLICY_SECRET_ID: policy } },
      VpcConfig: Match.absent(),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'etcd-warden-apply-rbac',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Role: roleArn(stack, stack.applyRbac),
      Environment: {
        Variables: {
          CA_SECRET_ID: ca,
          POLICY_SECRET_ID: policy,
          ETCD_ENDPOINTS: 'https://10.0.0.11:2379,https://etcd-2.example.internal:2379',
          APPLY_ON_DRIFT: 'false',
        },
      },
    });
  });

  it('places apply-rbac in the given subnets with egress only to etcd and HTTPS', () => {
    // Assess
    const [sgId] = Object.keys(template.findResources('AWS::EC2::SecurityGroup'));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Role: roleArn(stack, stack.applyRbac),
      VpcConfig: {
        SubnetIds: settings.subnetIds,
        SecurityGroupIds: [{ 'Fn::GetAtt': [sgId, 'GroupId'] }],
      },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: settings.vpcId,
      SecurityGroupIngress: Match.absent(),
      SecurityGroupEgress: [
        { CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: Match.anyValue() },
        {
          CidrIp: '10.0.0.11/32',
          IpProtocol: 'tcp',
          FromPort: 2379,
          ToPort: 2379,
          Description: Match.anyValue(),
        },
        {
          CidrIp: '0.0.0.0/0',
          IpProtocol: 'tcp',
          FromPort: 2379,
          ToPort: 2379,
          Description: Match.anyValue(),
        },
      ],
    });
  });

  it('gives each role exactly its secret and key actions, KMS only through Secrets Manager', () => {
    // Assess
    const ca = { Ref: id(stack, stack.caSecret.secret) };
    const policy = { Ref: id(stack, stack.policySecret.secret) };
    const key = { 'Fn::GetAtt': [id(stack, stack.key.node.defaultChild), 'Arn'] };
    const viaSecretsManager = {
      StringEquals: {
        'kms:ViaService': { 'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
      },
    };
    const statementsOf = (fn: lambda.Function) => {
      const policies = template.findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: id(stack, fn.role?.node.defaultChild) }] },
      });
      return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement);
    };
    const secretsAndKms = (fn: lambda.Function) =>
      statementsOf(fn).filter((s) => [s.Action].flat().some((a: string) => /^(secretsmanager|kms):/.test(a)));

    expect(secretsAndKms(stack.issueCert)).toEqual([
      {
        Sid: 'ReadSecrets',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: [ca, policy],
      },
      {
        Sid: 'DecryptSecrets',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: key,
        Condition: viaSecretsManager,
      },
    ]);
    expect(secretsAndKms(stack.applyRbac)).toEqual([
      {
        Sid: 'ReadSecrets',
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: [ca, policy],
      },
      {
        Sid: 'StoreAppliedPolicy',
        Effect: 'Allow',
        Action: 'secretsmanager:PutSecretValue',
        Resource: policy,
      },
      {
        Sid: 'DecryptAndEncryptSecrets',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: key,
        Condition: viaSecretsManager,
      },
    ]);
    // No AWS managed policies (AWSLambdaBasicExecutionRole writes to every log group).
    template.allResourcesProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });

  it('encrypts both secrets, created empty and retained, with the rotating customer-managed key', () => {
    // Assess
    const key = { 'Fn::GetAtt': [id(stack, stack.key.node.defaultChild), 'Arn'] };
    template.resourceCountIs('AWS::SecretsManager::Secret', 2);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'etcd-warden/ca' });
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'etcd-warden/policy' });
    template.allResourcesProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: key,
      SecretString: Match.absent(),
      GenerateSecretString: Match.absent(),
    });
    template.allResources('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('lets only apply-rbac write the policy secret and only the CA administrators write the CA secret', () => {
    // Assess
    const writeDeny = (secret: unknown, writers: unknown[]) => ({
      SecretId: { Ref: id(stack, secret) },
      BlockPublicPolicy: true,
      ResourcePolicy: {
        Statement: Match.arrayWith([
          {
            Sid: 'DenyWritingExceptWriters',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: [
              'secretsmanager:PutSecretValue',
              'secretsmanager:UpdateSecret',
              'secretsmanager:UpdateSecretVersionStage',
            ],
            Resource: { Ref: id(stack, secret) },
            Condition: { StringNotEquals: { 'aws:PrincipalArn': writers } },
          },
        ]),
      },
    });
    template.hasResourceProperties(
      'AWS::SecretsManager::ResourcePolicy',
      writeDeny(stack.policySecret.secret, [roleArn(stack, stack.applyRbac)]),
    );
    template.hasResourceProperties(
      'AWS::SecretsManager::ResourcePolicy',
      writeDeny(stack.caSecret.secret, [CA_ADMIN]),
    );
  });

  it('triggers apply-rbac from the drift schedule with the Scheduled Event itself, and from EC2 instance state changes', () => {
    // Assess
    const target = { 'Fn::GetAtt': [id(stack, stack.applyRbac.node.defaultChild), 'Arn'] };
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(30 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: target,
          Input: Match.absent(),
          InputPath: Match.absent(),
          InputTransformer: Match.absent(),
        }),
      ],
    });
    expect(scheduleTargetsWithoutTheScheduledEvent(json(stack))).toEqual([]);
    // With no input EventBridge delivers its event, as in this fixture: the handler's drift check.
    const scheduledEvent = JSON.parse(
      readFileSync(new URL('../functions/fixtures/eventbridge-scheduled.json', import.meta.url), 'utf8'),
    );
    expect(taskOf(scheduledEvent)).toEqual({ kind: 'drift-check' });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['running', 'terminated'] },
      },
      Targets: [Match.objectLike({ Arn: target, Input: Match.absent() })],
    });
    const rules = template.findResources('AWS::Events::Rule');
    for (const ruleId of Object.keys(rules)) {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        FunctionName: target,
        SourceArn: { 'Fn::GetAtt': [ruleId, 'Arn'] },
      });
    }
  });

  it('has the KMS key policy grant only the account (IAM decides) and each role trust only Lambda', () => {
    // Assess
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT_ROOT }, Action: 'kms:*', Resource: '*' }],
      },
    });
    template.allResourcesProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      },
    });
  });

  it('gives each function its own log group with retention, writable only by that function', () => {
    // Assess
    template.resourceCountIs('AWS::Logs::LogGroup', 2);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    for (const fn of [stack.issueCert, stack.applyRbac]) {
      const fnProps = template.findResources('AWS::Lambda::Function', {
        Properties: { Role: roleArn(stack, fn) },
      });
      const logGroup = Object.values(fnProps)[0]?.Properties.LoggingConfig.LogGroup;
      expect(logGroup).toEqual({ Ref: expect.any(String) });
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: id(stack, fn.role?.node.defaultChild) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Sid: 'WriteOwnLogs',
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: { 'Fn::GetAtt': [logGroup.Ref, 'Arn'] },
            },
          ]),
        },
      });
    }
  });
});

describe('EtcdWardenStack applyOnDrift', () => {
  it('tells apply-rbac to apply on drift, and says so in the schedule, only when asked', () => {
    // Prepare
    const variants = { unset: {}, false: { applyOnDrift: false }, true: { applyOnDrift: true } };
    // Act
    const seen = Object.entries(variants).map(([name, overrides]) => {
      const { stack } = build(overrides);
      const template = Template.fromStack(stack);
      const [fn] = Object.values(
        template.findResources('AWS::Lambda::Function', {
          Properties: { Role: roleArn(stack, stack.applyRbac) },
        }),
      );
      const [rule] = Object.values(
        template.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: Match.anyValue() } }),
      );
      return [name, fn?.Properties.Environment.Variables.APPLY_ON_DRIFT, rule?.Properties.Description];
    });
    // Assess
    expect(seen).toEqual([
      ['unset', 'false', expect.stringMatching(/changes nothing/)],
      ['false', 'false', expect.stringMatching(/changes nothing/)],
      ['true', 'true', expect.stringMatching(/applying the stored policy/)],
    ]);
  });
});

describe('security checks catch a broken stack', () => {
  it('flags a function URL without IAM auth', () => {
    // Prepare
    const { stack } = build();
    // Act
    (stack.functionUrl.node.defaultChild as lambda.CfnUrl).authType = 'NONE';
    // Assess
    expect(securityProblems(stack)).toEqual([expect.stringMatching(/AuthType NONE$/)]);
  });

  it('flags issue-cert invokable outside its function URL, by a permission or an identity policy', () => {
    // Prepare
    const { stack } = build();
    // Act
    stack.issueCert.addPermission('DirectInvoke', { principal: new iam.ArnPrincipal(INVOKER) });
    const invoker = new iam.Role(stack, 'Invoker', { assumedBy: new iam.AccountRootPrincipal() });
    stack.issueCert.grantInvoke(invoker);
    invoker.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:*'], resources: ['*'] }));
    // Assess
    const problems = issueCertInvokableOutsideUrl(json(stack), id(stack, stack.issueCert.node.defaultChild));
    expect(problems).toEqual([
      expect.stringMatching(/^\w+: lambda:InvokeFunction for .*k8s-node.* outside the function URL$/),
      expect.stringMatching(/^Invoker\w+: "lambda:InvokeFunction" on /),
      expect.stringMatching(/^Invoker\w+: "lambda:\*" on "\*"$/),
    ]);
  });

  it('flags a wildcard resource on a secrets or KMS grant', () => {
    // Prepare
    const { stack } = build();
    // Act
    stack.issueCert.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: ['*'] }));
    stack.applyRbac.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:DescribeSecret'],
        resources: [`arn:aws:secretsmanager:${stack.region}:${stack.account}:secret:etcd-*`],
      }),
    );
    // Assess
    const problems = wildcardSecretOrKmsGrants(json(stack));
    expect(problems).toEqual([
      expect.stringMatching(/"kms:Decrypt" on "\*"/),
      expect.stringMatching(/"secretsmanager:DescribeSecret" on .*secret:etcd-\*/),
    ]);
  });

  it('flags another role allowed to read a secret', () => {
    // Prepare
    const { stack } = build();
    // Act
    const intruder = new iam.Role(stack, 'Intruder', { assumedBy: new iam.AccountRootPrincipal() });
    intruder.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [stack.caSecret.secretArn],
      }),
    );
    // Assess
    expect(securityProblems(stack)).toEqual([expect.stringMatching(/lets Intruder.* read CaSecret/)]);
  });

  it('flags a secret whose resource policy exempts more readers or allows anything', () => {
    // Prepare
    const { stack } = build({ caAdministrators: [CA_ADMIN, 'arn:aws:iam::123456789012:role/ci'] });
    const policy = stack.policySecret.node.findChild('ResourcePolicy') as secretsmanager.CfnResourcePolicy;
    // Act
    policy.addPropertyOverride('ResourcePolicy.Statement.2', {
      Effect: 'Allow',
      Principal: { AWS: INVOKER },
      Action: 'secretsmanager:GetSecretValue',
      Resource: '*',
    });
    // Assess
    expect(securityProblems(stack)).toEqual([
      expect.stringMatching(/CaSecretResourcePolicy.*not exactly the readers/),
      expect.stringMatching(/PolicySecretResourcePolicy.*is not a Deny/),
    ]);
  });

  it('flags a KMS key policy that allows everyone, another role or a service, and accepts the function roles', () => {
    // Prepare
    const { stack } = build();
    // Act
    stack.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'FunctionRoleDirectly',
        principals: [new iam.ArnPrincipal(stack.issueCert.role?.roleArn ?? '')],
        actions: ['kms:Decrypt'],
        resources: ['*'],
      }),
    );
    stack.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'Anyone',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:CallerAccount': '123456789012' } },
      }),
    );
    stack.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'Others',
        principals: [
          new iam.ArnPrincipal('arn:aws:iam::123456789012:role/ci'),
          new iam.ServicePrincipal('logs.amazonaws.com'),
        ],
        actions: ['kms:Decrypt'],
        resources: ['*'],
      }),
    );
    stack.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllButOne',
        notPrincipals: [new iam.AccountRootPrincipal()],
        actions: ['kms:Decrypt'],
        resources: ['*'],
      }),
    );
    // Assess
    expect(securityProblems(stack)).toEqual([
      expect.stringMatching(/SecretsKey.*statement Anyone allows Principal \*$/),
      expect.stringMatching(/statement Others allows AWS "arn:aws:iam::123456789012:role\/ci"$/),
      expect.stringMatching(/statement Others allows Service "logs.amazonaws.com"$/),
      expect.stringMatching(/statement AllButOne allows every principal but/),
    ]);
  });

  it('flags a function role that another account or service may assume', () => {
    // Prepare
    const { stack } = build();
    const issueRole = stack.issueCert.role as iam.Role;
    const applyRole = stack.applyRbac.role as iam.Role;
    // Act
    issueRole.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({ principals: [new iam.AccountRootPrincipal()], actions: ['sts:AssumeRole'] }),
    );
    applyRole.assumeRolePolicy?.addStatements(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('ec2.amazonaws.com')],
        actions: ['sts:AssumeRole'],
      }),
    );
    // Assess
    expect(securityProblems(stack)).toEqual([
      expect.stringMatching(/^IssueCertRole.*trust policy lets \{"AWS":.*:root.*\} assume it$/),
      expect.stringMatching(/^ApplyRbacRole.*trust policy lets \{"Service":"ec2.amazonaws.com"\} assume it$/),
    ]);
  });

  it('flags a function whose role is not defined by the stack', () => {
    // Prepare
    const { stack } = build();
    // Act
    (stack.issueCert.node.defaultChild as lambda.CfnFunction).role = 'arn:aws:iam::123456789012:role/shared';
    // Assess
    expect(functionRolesAssumableBeyondLambda(json(stack))).toEqual([
      expect.stringMatching(
        /^IssueCert.*"arn:aws:iam::123456789012:role\/shared" is not a role of this template$/,
      ),
    ]);
  });

  it('flags a drift schedule that sends its own input instead of the Scheduled Event', () => {
    // Prepare
    const { stack } = build();
    const rule = stack.node.findChild('DriftCheck').node.defaultChild as events.CfnRule;
    // Act
    rule.addPropertyOverride('Targets.0.Input', JSON.stringify({ command: 'plan' }));
    // Assess
    expect(scheduleTargetsWithoutTheScheduledEvent(json(stack))).toEqual([
      expect.stringMatching(/^DriftCheck.*: target Target0 gets Input "\{\\"command\\":\\"plan\\"\}"$/),
    ]);
    // What that input would mean to apply-rbac: an ordinary plan, not the drift check.
    expect(taskOf({ command: 'plan' })).toEqual({ kind: 'command', command: 'plan' });
  });

  it('flags a secret that lost its read deny', () => {
    // Prepare
    const { stack } = build();
    const policy = stack.caSecret.node.findChild('ResourcePolicy') as secretsmanager.CfnResourcePolicy;
    // Act
    policy.addPropertyDeletionOverride('ResourcePolicy.Statement.0');
    policy.addPropertyOverride('ResourcePolicy.Statement', [
      stack.resolve(
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['secretsmanager:PutSecretValue'],
          resources: ['*'],
        }).toStatementJson(),
      ),
    ]);
    // Assess
    expect(securityProblems(stack)).toEqual([
      expect.stringMatching(/CaSecretResourcePolicy.*no Deny of secretsmanager:GetSecretValue/),
    ]);
  });
});

describe('cdk-nag AwsSolutions at synthesis', () => {
  const report = (app: App) =>
    JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; violations: { ruleName: string }[] }[];
    };

  it('reports nothing for the stack (every exception acknowledged with its reason)', () => {
    // Prepare
    const { app } = build();
    withSecurityChecks(app);
    // Act
    app.synth();
    // Assess
    expect(
      report(app).pluginReports.flatMap((r) => r.violations.map((v) => `${r.pluginName} ${v.ruleName}`)),
    ).toEqual([]);
  });

  it('fails synthesis on an unacknowledged finding', () => {
    // Prepare
    const { app, stack } = build();
    withSecurityChecks(app);
    new secretsmanager.Secret(stack, 'UnrotatedSecret');
    // Act
    const synth = () => app.synth();
    // Assess
    expect(synth).toThrow(/AwsSolutions-SMG4/);
    const rules = report(app)
      .pluginReports.filter((r) => r.pluginName === 'AwsSolutions')
      .flatMap((r) => r.violations.map((v) => v.ruleName));
    expect(rules).toEqual(['AwsSolutions-SMG4']);
  });
});
