// POST to a Lambda function URL with AWS_IAM auth, as the AWS SDK would: SigV4 (service lambda)
// with the SDK's default credential chain (environment, shared config, web identity, ECS, EC2
// instance metadata) and its signer. The region comes from the URL (ID.lambda-url.REGION.on.aws),
// else the one given, else AWS_REGION.
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpAnswer } from '../agent/request-certificate.js';
import { WardenError } from '../errors.js';
import { NodeSha256 } from './sha256.js';

const REQUEST_TIMEOUT_MS = 15_000;
const URL_REGION = /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;

export function regionFor(url: URL, given: string | undefined, env: NodeJS.ProcessEnv): string {
  const region = URL_REGION.exec(url.hostname)?.[1] ?? given ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region)
    throw new WardenError('invalid-input', `no region for ${url.host}: pass --region or set AWS_REGION`);
  return region;
}

/** A poster of JSON bodies to `path` under the function URL `base`. */
export function functionUrlPoster(
  base: string,
  path: string,
  options: { region?: string; env: NodeJS.ProcessEnv },
): (body: string) => Promise<HttpAnswer> {
  const url = new URL(path, base.endsWith('/') ? base : `${base}/`);
  if (url.protocol !== 'https:' && url.hostname !== '127.0.0.1' && url.hostname !== 'localhost')
    throw new WardenError(
      'invalid-input',
      `${url.origin}: a function URL is https:// (plain http only to 127.0.0.1)`,
    );
  const signer = new SignatureV4({
    credentials: defaultProvider(),
    region: regionFor(url, options.region, options.env),
    service: 'lambda',
    sha256: NodeSha256,
  });
  return async (body) => {
    const signed = await signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      headers: { host: url.host, 'content-type': 'application/json' },
      body,
    });
    const { host: _host, ...headers } = signed.headers;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new WardenError('unavailable', `cannot reach ${url.origin}: ${cause}`, true);
    }
    return { status: response.status, body: await response.text() };
  };
}
