// plan and apply through the apply-rbac function in the user's AWS account, with whatever
// credentials the workflow configured (OIDC, usually). The function holds the CA and reaches etcd;
// the Action only sends the policy text and reads back the changes.
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { WardenError } from '../../shared/errors.js';
import type { FunctionTarget } from './inputs.js';
import type { RbacOutcome } from './outcome.js';

export async function runFunction(
  command: 'plan' | 'apply',
  policyText: string,
  target: FunctionTarget,
): Promise<RbacOutcome> {
  const client = new LambdaClient({});
  let response: InvokeCommandOutput;
  try {
    response = await client.send(
      new InvokeCommand({
        FunctionName: target.functionName,
        InvocationType: 'RequestResponse',
        Payload: Buffer.from(JSON.stringify({ command, policy: policyText })),
      }),
    );
  } catch (error) {
    throw new WardenError(
      'unavailable',
      `cannot invoke ${target.functionName}: ${(error as Error).message.split('\n')[0]}`,
      true,
    );
  } finally {
    client.destroy();
  }
  return outcomeOf(command, target.functionName, response.Payload, response.FunctionError);
}

function outcomeOf(
  command: 'plan' | 'apply',
  functionName: string,
  payload: Uint8Array | undefined,
  functionError: string | undefined,
): RbacOutcome {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(payload ?? []).toString('utf8'));
  } catch {
    throw new WardenError('internal', `${functionName} returned no JSON`);
  }
  if (functionError) {
    const message = (body as { errorMessage?: unknown })?.errorMessage;
    throw new WardenError(
      'internal',
      `${functionName} failed: ${typeof message === 'string' ? message : functionError}`,
    );
  }
  throw new WardenError('internal', `${functionName}: response shape not known yet ${JSON.stringify(body)}`);
}
