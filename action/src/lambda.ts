// plan and apply through the apply-rbac function in the user's AWS account, with whatever
// credentials the workflow configured (OIDC, usually). The function holds the CA and reaches etcd;
// the Action only sends the policy text and reads back the changes.
import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { isErrorCode, WardenError } from '../../shared/errors.js';
import type { ChangeJson } from '../../shared/rbac/format-plan.js';
import { changeFromJson } from './change-json.js';
import type { FunctionTarget } from './inputs.js';
import type { RbacOutcome } from './outcome.js';

const MAX_WARNINGS = 20;
const MAX_WARNING_CHARS = 500;

export async function runFunction(
  command: 'plan' | 'apply',
  policyText: string,
  target: FunctionTarget,
): Promise<RbacOutcome> {
  const client = new LambdaClient({});
  // The SDK's own words for a missing region depend on the endpoint settings; say what to do.
  const region = await client.config.region().catch(() => undefined);
  if (!region) {
    client.destroy();
    throw new WardenError(
      'invalid-input',
      'function-name needs an AWS region: set AWS_REGION (aws-actions/configure-aws-credentials does)',
    );
  }
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

/**
 * The function's answer: `{command, planned, warnings}`, for apply with the core's apply report
 * (warnings included), or `{error}`.
 */
interface ApplyRbacAnswer {
  planned?: unknown;
  warnings?: unknown;
  applied?: unknown;
  remaining?: unknown;
  failure?: { change?: unknown; code?: unknown; message?: unknown };
  error?: { code?: unknown; message?: unknown; diagnostics?: unknown };
}

function outcomeOf(
  command: 'plan' | 'apply',
  functionName: string,
  payload: Uint8Array | undefined,
  functionError: string | undefined,
): RbacOutcome {
  const broken = (why: string) => new WardenError('internal', `${functionName} returned ${why}`);
  let body: ApplyRbacAnswer;
  try {
    body = JSON.parse(Buffer.from(payload ?? []).toString('utf8')) as ApplyRbacAnswer;
  } catch {
    throw broken('no JSON');
  }
  if (typeof body !== 'object' || body === null) throw broken('no result');
  if (functionError) {
    // Lambda's own report of an unhandled error; its stack trace, if any, is not repeated.
    const message = (body as { errorMessage?: unknown }).errorMessage;
    throw new WardenError(
      'internal',
      `${functionName} failed: ${typeof message === 'string' ? message.split('\n')[0] : functionError}`,
    );
  }
  if (body.error) {
    const { code, message, diagnostics } = body.error;
    const first =
      Array.isArray(diagnostics) && typeof diagnostics[0] === 'string' ? ` (${diagnostics[0]})` : '';
    throw new WardenError(
      isErrorCode(code) ? code : 'internal',
      `${functionName}: ${typeof message === 'string' ? message : 'failed'}${first}`,
    );
  }
  const changes = (value: unknown, field: string): ChangeJson[] => {
    if (!Array.isArray(value) || !value.every((c) => typeof c === 'object' && c && changeFromJson(c))) {
      throw broken(`no valid "${field}" list`);
    }
    return value as ChangeJson[];
  };
  const planned = changes(body.planned, 'planned');
  // Warnings are for people, and never a reason to drop the report of an apply that ran: only
  // text is kept, a bounded amount of it.
  const warnings = (Array.isArray(body.warnings) ? body.warnings : [])
    .filter((w): w is string => typeof w === 'string')
    .slice(0, MAX_WARNINGS)
    .map((w) => w.slice(0, MAX_WARNING_CHARS));
  if (command === 'plan') return { command, via: `function ${functionName}`, planned, warnings };
  const failure = body.failure;
  if (
    failure &&
    !(failure.change && typeof failure.change === 'object' && changeFromJson(failure.change as ChangeJson))
  )
    throw broken('a failure without the change that failed');
  const remaining = changes(body.remaining ?? [], 'remaining');
  return {
    command,
    via: `function ${functionName}`,
    planned,
    applied: changes(body.applied ?? [], 'applied'),
    remaining,
    warnings,
    ...(failure
      ? {
          failure: {
            change: failure.change as ChangeJson,
            code: isErrorCode(failure.code) ? failure.code : 'internal',
            message: typeof failure.message === 'string' ? failure.message : 'failed',
          },
        }
      : {}),
    converged: !failure && remaining.length === 0,
  };
}
