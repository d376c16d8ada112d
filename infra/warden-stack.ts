/**
 * The etcd-warden deployment: the two functions, their secrets, the HTTPS endpoint and the events.
 *
 * - issue-cert: Lambda function URL with AWS_IAM auth; reads the CA secret and the policy secret,
 *   never etcd (issuance keeps working while etcd is down).
 * - apply-rbac: in the given VPC subnets, talks to the given etcd endpoints; reads the CA secret (it
 *   mints its own client certificate) and stores each policy it applied in the policy secret. Invoked
 *   directly, by a schedule (drift check) and by EC2 instance state changes (template users).
 * - Both secrets are encrypted with one customer-managed KMS key; their resource policies deny
 *   reading to every principal but the functions (and the CA administrators for the CA secret), and
 *   deny writing to every principal but apply-rbac (policy) or the CA administrators (CA).
 * - Identity policies name exact secret and key ARNs; KMS use is limited to calls made through
 *   Secrets Manager.
 */
import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { parseEtcdEndpoints } from '../shared/etcd/endpoints.js';
import { egressCidr } from './etcd-endpoints.js';
import { FunctionRole } from './function-role.js';
import { LockedSecret, READ_ACTIONS } from './locked-secret.js';

/** Names of the environment variables the functions read. */
export const ENV = {
  caSecretId: 'CA_SECRET_ID',
  policySecretId: 'POLICY_SECRET_ID',
  etcdEndpoints: 'ETCD_ENDPOINTS',
  applyOnDrift: 'APPLY_ON_DRIFT',
} as const;

export interface EtcdWardenStackProps extends StackProps {
  /** Folder holding issue-cert's bundle (`index.handler`), e.g. dist/functions/issue-cert. */
  issueCertCode: string;
  /** Folder holding apply-rbac's bundle (`index.handler`), e.g. dist/functions/apply-rbac. */
  applyRbacCode: string;
  /** The VPC apply-rbac runs in: one that reaches etcd and Secrets Manager (endpoint or NAT). */
  vpcId: string;
  /** Private subnets of that VPC for apply-rbac's network interfaces. */
  subnetIds: string[];
  /** etcd client endpoints, `https://HOST:PORT` or `HOST:PORT`. */
  etcdEndpoints: string[];
  /**
   * IAM role or user ARNs that may initialize and read the CA secret (`etcd-warden ca init
   * --ca-store secretsmanager://ARN`). Empty: nobody but the functions can read it and nobody can
   * write it.
   */
  caAdministrators?: string[];
  /** IAM principal ARNs granted lambda:InvokeFunctionUrl by issue-cert's resource policy. */
  issueCertInvokers?: string[];
  /** How often apply-rbac plans the stored policy against the cluster. Default: 1 hour. */
  driftCheckInterval?: Duration;
  /**
   * The drift check applies the stored policy when etcd differs from it, instead of only logging a
   * warning. Default: false.
   */
  applyOnDrift?: boolean;
  /** Function names are PREFIX-issue-cert and PREFIX-apply-rbac. Default: etcd-warden. */
  namePrefix?: string;
  /** Log retention of both functions. Default: 3 months. */
  logRetention?: logs.RetentionDays;
}

export class EtcdWardenStack extends Stack {
  readonly issueCert: lambda.Function;
  readonly applyRbac: lambda.Function;
  readonly functionUrl: lambda.FunctionUrl;
  readonly key: kms.Key;
  readonly caSecret: LockedSecret;
  readonly policySecret: LockedSecret;

  constructor(scope: Construct, id: string, props: EtcdWardenStackProps) {
    super(scope, id, props);
    const endpoints = parseEtcdEndpoints(props.etcdEndpoints, 'etcdEndpoints');
    if (props.subnetIds.length === 0) throw new Error('subnetIds: apply-rbac needs at least one subnet');
    const retention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;
    const prefix = props.namePrefix ?? 'etcd-warden';
    if (!/^[A-Za-z0-9_-]{1,40}$/.test(prefix))
      throw new Error(`namePrefix: ${JSON.stringify(prefix)} must be 1-40 letters, digits, - or _`);

    this.key = new kms.Key(this, 'SecretsKey', {
      description: 'etcd-warden: encrypts the CA secret and the policy secret',
      enableKeyRotation: true,
    });

    const issueLogs = new logs.LogGroup(this, 'IssueCertLogs', { retention });
    const applyLogs = new logs.LogGroup(this, 'ApplyRbacLogs', { retention });
    const issueRole = new FunctionRole(this, 'IssueCertRole', issueLogs).role;
    const applyRole = new FunctionRole(this, 'ApplyRbacRole', applyLogs).role;
    const functionRoles = [issueRole.roleArn, applyRole.roleArn];
    const caAdministrators = props.caAdministrators ?? [];

    this.caSecret = new LockedSecret(this, 'CaSecret', {
      name: `${prefix}/ca`,
      description: 'etcd-warden CA certificate and private key (etcd-warden ca init fills it)',
      encryptionKey: this.key,
      readers: [...functionRoles, ...caAdministrators],
      writers: caAdministrators,
    });
    this.policySecret = new LockedSecret(this, 'PolicySecret', {
      name: `${prefix}/policy`,
      description: 'etcd-warden policy last applied by apply-rbac; issue-cert decides from it',
      encryptionKey: this.key,
      readers: functionRoles,
      writers: [applyRole.roleArn],
    });
    const secretArns = [this.caSecret.secretArn, this.policySecret.secretArn];

    for (const role of [issueRole, applyRole]) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ sid: 'ReadSecrets', actions: READ_ACTIONS, resources: secretArns }),
      );
    }
    applyRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'StoreAppliedPolicy',
        actions: ['secretsmanager:PutSecretValue'],
        resources: [this.policySecret.secretArn],
      }),
    );
    issueRole.addToPrincipalPolicy(this.keyUse('DecryptSecrets', ['kms:Decrypt']));
    applyRole.addToPrincipalPolicy(
      this.keyUse('DecryptAndEncryptSecrets', ['kms:Decrypt', 'kms:GenerateDataKey']),
    );

    const common = {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
    };
    this.issueCert = new lambda.Function(this, 'IssueCert', {
      ...common,
      functionName: `${prefix}-issue-cert`,
      description: 'etcd-warden issue-cert: certificates for the names the policy allows the caller',
      code: lambda.Code.fromAsset(props.issueCertCode),
      role: issueRole,
      logGroup: issueLogs,
      memorySize: 512,
      timeout: Duration.seconds(15),
      environment: {
        [ENV.caSecretId]: this.caSecret.secretArn,
        [ENV.policySecretId]: this.policySecret.secretArn,
      },
    });
    this.functionUrl = this.issueCert.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    for (const arn of props.issueCertInvokers ?? []) this.issueCert.grantInvokeUrl(new iam.ArnPrincipal(arn));

    // Given, not looked up: synthesis stays offline. The subnets are passed explicitly below.
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: props.vpcId,
      availabilityZones: this.availabilityZones,
    });
    const securityGroup = new ec2.SecurityGroup(this, 'ApplyRbacSecurityGroup', {
      vpc,
      description: 'etcd-warden apply-rbac: out to etcd and to Secrets Manager only',
      allowAllOutbound: false,
    });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'Secrets Manager (HTTPS)');
    for (const endpoint of endpoints) {
      securityGroup.addEgressRule(
        ec2.Peer.ipv4(egressCidr(endpoint)),
        ec2.Port.tcp(endpoint.port),
        `etcd ${endpoint.host}`,
      );
    }
    this.applyRbac = new lambda.Function(this, 'ApplyRbac', {
      ...common,
      functionName: `${prefix}-apply-rbac`,
      description: 'etcd-warden apply-rbac: plans and applies the policy to etcd',
      code: lambda.Code.fromAsset(props.applyRbacCode),
      role: applyRole,
      logGroup: applyLogs,
      memorySize: 1024,
      timeout: Duration.minutes(5),
      vpc,
      vpcSubnets: {
        subnets: props.subnetIds.map((subnetId) =>
          ec2.Subnet.fromSubnetId(this, `Subnet-${subnetId}`, subnetId),
        ),
      },
      securityGroups: [securityGroup],
      environment: {
        [ENV.caSecretId]: this.caSecret.secretArn,
        [ENV.policySecretId]: this.policySecret.secretArn,
        [ENV.etcdEndpoints]: endpoints.map((e) => e.url).join(','),
        // Written either way, so that the template says which the schedule does.
        [ENV.applyOnDrift]: String(props.applyOnDrift ?? false),
      },
    });
    // Lambda creates and removes the function's network interfaces with these; EC2 does not support
    // resource-level permissions for the Describe call, and the interfaces do not exist before.
    applyRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ManageVpcNetworkInterfaces',
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
    Validations.of(applyRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "Lambda's VPC attachment needs EC2 network-interface actions that do not support resource-level " +
        'permissions; the statement names only those actions, no secrets or KMS actions.',
    });

    new events.Rule(this, 'DriftCheck', {
      description: props.applyOnDrift
        ? 'etcd-warden: drift check, applying the stored policy where etcd differs from it'
        : 'etcd-warden: drift check, a plan of the stored policy against etcd that changes nothing',
      schedule: events.Schedule.rate(props.driftCheckInterval ?? Duration.hours(1)),
      // No input: EventBridge then delivers its "Scheduled Event" itself, which is what apply-rbac
      // treats as the drift check (a warning on drift, APPLY_ON_DRIFT); a {"command": "plan"} input
      // would be an ordinary plan.
      targets: [new targets.LambdaFunction(this.applyRbac, { retryAttempts: 2 })],
    });
    new events.Rule(this, 'InstanceStateChange', {
      description: 'etcd-warden: create or remove template users when EC2 instances start or terminate',
      eventPattern: {
        source: ['aws.ec2'],
        detailType: ['EC2 Instance State-change Notification'],
        detail: { state: ['running', 'terminated'] },
      },
      targets: [new targets.LambdaFunction(this.applyRbac, { retryAttempts: 2 })],
    });

    for (const secret of [this.caSecret, this.policySecret]) {
      Validations.of(secret.secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Not a rotatable credential: the CA key changes by a CA re-key (etcd-warden ca init --force) ' +
          'that etcd members must trust first, and the policy secret is rewritten by every apply.',
      });
    }

    new CfnOutput(this, 'IssueCertUrl', { value: this.functionUrl.url });
    new CfnOutput(this, 'ApplyRbacFunctionName', { value: this.applyRbac.functionName });
    new CfnOutput(this, 'ApplyRbacSecurityGroupId', {
      value: securityGroup.securityGroupId,
      description: "Allow this group into etcd's client port",
    });
    new CfnOutput(this, 'CaSecretArn', { value: this.caSecret.secretArn });
    new CfnOutput(this, 'CaStore', {
      value: `secretsmanager://${prefix}/ca`,
      description: 'etcd-warden ca init --ca-store VALUE, as a CA administrator',
    });
    new CfnOutput(this, 'PolicySecretArn', { value: this.policySecret.secretArn });
  }

  /** KMS actions on this stack's key only, and only when Secrets Manager makes the call. */
  private keyUse(sid: string, actions: string[]): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid,
      actions,
      resources: [this.key.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${this.region}.amazonaws.com` } },
    });
  }
}
