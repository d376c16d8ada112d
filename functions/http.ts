/**
 * The HTTP events issue-cert answers: Lambda function URL and API Gateway HTTP API requests share
 * payload format 2.0. With IAM auth the caller's principal ARN is in
 * requestContext.authorizer.iam.userArn; `etcd-warden serve` builds the same events. The types are
 * @types/aws-lambda's; the helpers below still read every field defensively, since an event is
 * input like any other.
 */
import type {
  APIGatewayProxyEventV2WithIAMAuthorizer,
  LambdaFunctionURLEvent,
  LambdaFunctionURLEventWithIAMAuthorizer,
} from 'aws-lambda';

/** With IAM auth or, where nothing signed the request (`serve` without identities), without. */
export type HttpEvent =
  | LambdaFunctionURLEventWithIAMAuthorizer
  | APIGatewayProxyEventV2WithIAMAuthorizer
  | LambdaFunctionURLEvent;

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export const json = (statusCode: number, value: unknown): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

export const pem = (text: string): HttpResponse => ({
  statusCode: 200,
  headers: { 'content-type': 'application/x-pem-file' },
  body: text,
});

export const errorResponse = (statusCode: number, code: string, message: string): HttpResponse =>
  json(statusCode, { error: { code, message } });

export const methodOf = (event: HttpEvent): string =>
  (event.requestContext?.http?.method ?? 'GET').toUpperCase();

/**
 * The route's path. An HTTP API stage other than `$default` is the first segment of both rawPath and
 * http.path (`/prod/certificates`), so it is taken off; a custom domain's path has no stage segment.
 */
export const pathOf = (event: HttpEvent): string => {
  const path = event.requestContext?.http?.path ?? event.rawPath ?? '/';
  const stage = event.requestContext?.stage;
  if (!stage || stage === '$default') return path;
  const prefix = `/${stage}`;
  if (path === prefix) return '/';
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : path;
};

export const callerOf = (event: HttpEvent): string | undefined => {
  const context = event.requestContext as { authorizer?: { iam?: { userArn?: unknown } } } | undefined;
  const arn = context?.authorizer?.iam?.userArn;
  return typeof arn === 'string' && arn !== '' ? arn : undefined;
};

/** The body's bytes (Lambda base64-encodes bodies it does not take for text). */
export const bodyOf = (event: HttpEvent): Buffer =>
  Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
