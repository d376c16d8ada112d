/**
 * The execution role of one function: it may write to its own log group and nothing else until the
 * stack grants it exact secrets and the key. CDK's default role would attach the AWS managed
 * AWSLambdaBasicExecutionRole, which allows writing to every log group in the account.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export class FunctionRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, logGroup: logs.ILogGroup) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // The log group's Arn attribute already ends in ":*" (all its streams).
        resources: [logGroup.logGroupArn],
      }),
    );
  }
}
