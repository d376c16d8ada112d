/**
 * What the Lambda runtime hands a function, built for the places that run the handlers without it:
 * `etcd-warden serve` (every request) and the functions benchmark. A function URL event with IAM
 * auth, and a context whose request id is fresh per invocation, as Lambda's is.
 */
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { HttpEvent } from './http.js';

const LOCAL_ACCOUNT = '000000000000';

export function localContext(functionName: string): Context {
  const deadline = Date.now() + 15 * 60 * 1000;
  const unsupported = () => {
    throw new Error('the callback API is not available; return a value instead');
  };
  return {
    awsRequestId: randomUUID(),
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:${LOCAL_ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: '1024',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

export interface LocalRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** The IAM principal ARN SigV4 proved; undefined: a request no IAM identity signed. */
  caller?: string;
}

/** A function URL event (payload format 2.0) with the caller where IAM auth puts it. */
export function localFunctionUrlEvent(request: LocalRequest): HttpEvent {
  const now = new Date();
  const requestContext = {
    accountId: LOCAL_ACCOUNT,
    apiId: 'local',
    domainName: '127.0.0.1',
    domainPrefix: 'local',
    http: {
      method: request.method,
      path: request.path,
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: request.headers['user-agent'] ?? '',
    },
    requestId: randomUUID(),
    routeKey: '$default',
    stage: '$default',
    time: now.toISOString(),
    timeEpoch: now.getTime(),
  };
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString: '',
    headers: request.headers,
    body: request.body.toString('base64'),
    isBase64Encoded: true,
  };
  if (request.caller === undefined) return { ...event, requestContext };
  const [, accountId = LOCAL_ACCOUNT] = /^arn:[^:]+:[^:]+::(\d{12}):/.exec(request.caller) ?? [];
  return {
    ...event,
    requestContext: {
      ...requestContext,
      authorizer: {
        iam: {
          accessKey: 'local',
          accountId,
          callerId: 'local',
          cognitoIdentity: null,
          principalOrgId: '',
          userArn: request.caller,
          userId: 'local',
        },
      },
    },
  };
}
