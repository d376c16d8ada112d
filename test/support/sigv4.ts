// Requests to `serve` signed as an AWS SDK or `curl --aws-sigv4` signs them for a function URL
// (SigV4, service lambda), with the SDK's own signer.
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../shared/aws/sha256.js';

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * `sentBody`, when given, goes on the wire instead of the body that was signed: a request changed
 * in transit after signing. `payloadHashHeader: false` signs as `curl --aws-sigv4` does, without
 * an x-amz-content-sha256 header (the body's hash is still part of the signature).
 */
export async function signedFetch(
  url: string,
  init: {
    method: string;
    body?: string;
    headers?: Record<string, string>;
    sentBody?: string;
    payloadHashHeader?: boolean;
  },
  key: AccessKey,
  signingDate = new Date(),
): Promise<Response> {
  const target = new URL(url);
  const signer = new SignatureV4({
    credentials: key,
    region: 'us-east-1',
    service: 'lambda',
    sha256: NodeSha256,
    applyChecksum: init.payloadHashHeader ?? true,
  });
  const signed = await signer.sign(
    {
      method: init.method,
      protocol: target.protocol,
      hostname: target.hostname,
      port: Number(target.port),
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers: { host: target.host, ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
    },
    { signingDate },
  );
  const { host: _host, ...headers } = signed.headers;
  const body = init.sentBody ?? init.body;
  return fetch(url, { method: init.method, headers, ...(body === undefined ? {} : { body }) });
}
