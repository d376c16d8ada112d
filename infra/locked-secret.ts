/**
 * A Secrets Manager secret that only named principals can read or change.
 *
 * IAM alone would let any principal in the account that holds `secretsmanager:GetSecretValue` on `*`
 * (an administrator, a broad CI role) read the CA key or rewrite the policy that decides who gets
 * which certificate. So the secret's resource policy denies reading to every principal except
 * `readers` and changing its value to every principal except `writers`; explicit denies win over
 * any identity policy. Resource policy management is left to IAM: that is the break-glass path.
 *
 * Because UpdateSecret is denied too, a later change of the secret's description or key needs the
 * resource policy lifted first.
 *
 * The secret is created with no value: the CA store (`etcd-warden ca init`) and apply-rbac fill it,
 * and a CA store treats a secret without a value as empty.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** Actions that reveal a secret's value. */
export const READ_ACTIONS = ['secretsmanager:GetSecretValue'];
/** Actions that replace the current value (UpdateSecretVersionStage can bring back an older one). */
export const WRITE_ACTIONS = [
  'secretsmanager:PutSecretValue',
  'secretsmanager:UpdateSecret',
  'secretsmanager:UpdateSecretVersionStage',
];

export interface LockedSecretProps {
  /** The secret's name: `etcd-warden ca init --ca-store secretsmanager://NAME` finds it by name. */
  name: string;
  description: string;
  encryptionKey: kms.IKey;
  /** ARNs of the IAM roles or users that may read the value (aws:PrincipalArn; a role covers its sessions). */
  readers: string[];
  /** ARNs of the IAM roles or users that may set the value. Empty: nobody may. */
  writers: string[];
}

export class LockedSecret extends Construct {
  readonly secret: secretsmanager.CfnSecret;
  readonly secretArn: string;

  constructor(scope: Construct, id: string, props: LockedSecretProps) {
    super(scope, id);
    this.secret = new secretsmanager.CfnSecret(this, 'Secret', {
      name: props.name,
      description: props.description,
      kmsKeyId: props.encryptionKey.keyArn,
    });
    // Deleting the stack must not take the CA key (every certificate chains to it) with it.
    this.secret.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.secretArn = this.secret.ref;

    const document = new iam.PolicyDocument({
      statements: [
        denyAllExcept('DenyReadingExceptReaders', READ_ACTIONS, props.readers, this.secretArn),
        denyAllExcept('DenyWritingExceptWriters', WRITE_ACTIONS, props.writers, this.secretArn),
      ],
    });
    new secretsmanager.CfnResourcePolicy(this, 'ResourcePolicy', {
      secretId: this.secretArn,
      resourcePolicy: Stack.of(this).resolve(document.toJSON()),
      blockPublicPolicy: true,
    });
  }
}

function denyAllExcept(sid: string, actions: string[], allowed: string[], secretArn: string) {
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions,
    resources: [secretArn],
    // With nobody allowed the deny is unconditional.
    conditions: allowed.length > 0 ? { StringNotEquals: { 'aws:PrincipalArn': allowed } } : undefined,
  });
}
