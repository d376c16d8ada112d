/**
 * What every log line of a function invocation carries, from its Lambda context: the fields and
 * names Powertools for AWS Lambda's Logger adds (function_request_id, function_name, function_arn,
 * function_memory_size, cold_start, and xray_trace_id when tracing is on), so that CloudWatch
 * queries written for Powertools find these lines too.
 */
import type { Context } from 'aws-lambda';

let invocations = 0;

export function invocationFields(context: Context): Record<string, unknown> {
  const trace = process.env._X_AMZN_TRACE_ID;
  return {
    function_request_id: context.awsRequestId,
    function_name: context.functionName,
    function_arn: context.invokedFunctionArn,
    function_memory_size: Number(context.memoryLimitInMB),
    // The first invocation this process serves is the one that paid for loading it.
    cold_start: invocations++ === 0,
    ...(trace ? { xray_trace_id: trace.split(';')[0]?.replace(/^Root=/, '') } : {}),
  };
}
