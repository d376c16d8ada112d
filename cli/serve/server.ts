/**
 * `serve`'s HTTP adapter on 127.0.0.1: the function URL routes of issue-cert (POST /certificates,
 * GET /ca, GET /crl, as Lambda function URL events whose caller is the principal that signed the
 * request, as AWS_IAM auth does) and
 * the Lambda Invoke API (POST /2015-03-31/functions/NAME/invocations) for apply-rbac, so the
 * real @aws-sdk/client-lambda reaches it through AWS_ENDPOINT_URL_LAMBDA. A function name may be
 * a plain name, a prefixed one (`etcd-warden-apply-rbac`) or an ARN.
 *
 * The Invoke API hands the function an event the caller wrote, identity fields included, so it
 * answers only requests signed (SigV4) by a principal allowed to invoke apply-rbac, and never
 * issue-cert: as on AWS, where issue-cert's resource policy admits only its function URL, an
 * invocation outside the URL could claim any identity and mint any certificate.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import type { ApplyRbacEvent } from '../../functions/apply-rbac/events.js';
import type { HttpEvent, HttpResponse } from '../../functions/http.js';
import { MAX_BODY_BYTES } from '../../functions/issue-cert/certificate-request.js';
import { localContext, localFunctionUrlEvent } from '../../functions/local-invocation.js';
import type { Logger } from '../../shared/log/index.js';
import { type Credentials, signedCaller } from './signed-caller.js';

export interface ServedFunctions {
  'issue-cert': (event: HttpEvent, context: Context) => Promise<HttpResponse>;
  'apply-rbac': (event: ApplyRbacEvent, context: Context) => Promise<unknown>;
}

/** Lambda's own limit for a synchronous invocation's payload. */
const MAX_INVOKE_BYTES = 6 * 1024 * 1024;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

class TooLarge extends Error {}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

const sendJson = (
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
) => send(res, status, { 'content-type': 'application/json', ...headers }, JSON.stringify(value));

/** Which served function a Lambda function name or ARN means. */
function functionNamed(name: string): keyof ServedFunctions | undefined {
  const plain =
    decodeURIComponent(name)
      .replace(/^arn:[^:]+:lambda:[^:]+:\d+:function:/, '')
      .split(':')[0] ?? '';
  return (['apply-rbac', 'issue-cert'] as const).find((f) => plain === f || plain.endsWith(`-${f}`));
}

export function createServeHandler(
  functions: ServedFunctions,
  credentials: Credentials,
  log: Logger,
  now: () => Date = () => new Date(),
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  async function invoke(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const payload = await readBody(req, MAX_INVOKE_BYTES);
    const signer = await signedCaller(
      { method: 'POST', url: req.url ?? '/', headers: req.headers, body: payload },
      credentials,
      now(),
    );
    if ('refused' in signer) {
      log.warn('invoke-refused', { reason: signer.refused });
      return sendJson(
        res,
        403,
        { Type: 'User', message: signer.refused },
        { 'x-amzn-errortype': 'InvalidSignatureException' },
      );
    }
    const target = functionNamed(name);
    if (!target) {
      return sendJson(
        res,
        404,
        { Type: 'User', message: `Function not found: ${name}` },
        { 'x-amzn-errortype': 'ResourceNotFoundException' },
      );
    }
    if (target === 'issue-cert' || !signer.invoke.includes(target)) {
      log.warn('invoke-refused', { principal: signer.principal, function: target });
      const message =
        target === 'issue-cert'
          ? 'issue-cert is invoked through its function URL only'
          : `${signer.principal} is not authorized to perform lambda:InvokeFunction on ${target}`;
      return sendJson(res, 403, { Type: 'User', message }, { 'x-amzn-errortype': 'AccessDeniedException' });
    }
    let event: unknown;
    try {
      event = payload.length === 0 ? {} : JSON.parse(payload.toString('utf8'));
    } catch {
      return sendJson(
        res,
        400,
        { Type: 'User', message: 'Could not parse request body into json' },
        { 'x-amzn-errortype': 'InvalidRequestContentException' },
      );
    }
    try {
      // Untrusted JSON: the handler checks what it was given.
      const result = await functions['apply-rbac'](event as ApplyRbacEvent, localContext(target));
      sendJson(res, 200, result ?? null, { 'x-amz-executed-version': '$LATEST' });
    } catch (error) {
      // As Lambda reports an unhandled error, minus the stack trace.
      log.error('invoke-failed', { function: target, error });
      sendJson(
        res,
        200,
        { errorType: 'Error', errorMessage: 'the function failed; see the serve log' },
        { 'x-amz-function-error': 'Unhandled', 'x-amz-executed-version': '$LATEST' },
      );
    }
  }

  async function functionUrl(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const body = await readBody(req, MAX_BODY_BYTES);
    // As a function URL with AWS_IAM auth: only a valid SigV4 signature reaches the function.
    const signer = await signedCaller(
      { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body },
      credentials,
      now(),
    );
    if ('refused' in signer) {
      log.warn('request-refused', { status: 403, reason: signer.refused });
      return sendJson(res, 403, { error: { code: 'forbidden', message: signer.refused } });
    }
    const caller = signer.principal;
    const contentType = req.headers['content-type'];
    const event = localFunctionUrlEvent({
      method: req.method ?? 'GET',
      path: url.pathname,
      headers: contentType === undefined ? {} : { 'content-type': contentType },
      body,
      caller,
    });
    const response = await functions['issue-cert'](event, localContext('issue-cert'));
    send(res, response.statusCode, response.headers, response.body);
  }

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    try {
      const invokeName = INVOKE_PATH.exec(url.pathname)?.[1];
      if (invokeName !== undefined && req.method === 'POST') await invoke(req, res, invokeName);
      else await functionUrl(req, res, url);
    } catch (error) {
      if (error instanceof TooLarge) {
        sendJson(
          res,
          413,
          { error: { code: 'too-large', message: 'the body is too large' } },
          { connection: 'close' },
        );
        return;
      }
      log.error('serve-failed', { error });
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'internal error' } });
    }
  };
}

/** Listens on 127.0.0.1 only; port 0 picks a free one. */
export async function listenLocal(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  port: number,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
