// etcd's v2 API is HTTP+JSON, not gRPC: node's https with the same client certificate, so the
// identity etcd sees is the certificate's CN as on v3. Only /v2/auth/... and /v2/keys/... paths.
// Bodies are never put in error messages: a user's PUT carries its password.
import { request } from 'node:https';
import { WardenError } from '../errors.js';
import type { EtcdConnection } from './connect.js';
import { DEFAULT_CALL_TIMEOUT_MS } from './connect.js';

export interface V2Answer {
  status: number;
  body: unknown;
}

export interface V2Http {
  /** Tries each endpoint in turn until one answers; the answer whatever its status. */
  call(method: 'GET' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<V2Answer>;
}

/** An answer is at most this long: the whole v2 auth store of a large cluster fits many times. */
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

function callOne(
  endpoint: string,
  connection: EtcdConnection,
  method: string,
  path: string,
  body: string | undefined,
  timeoutMs: number,
): Promise<V2Answer> {
  const url = new URL(path, endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: connection.caPem,
        cert: connection.certPem,
        key: connection.keyPem,
        timeout: timeoutMs,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) req.destroy(new Error('answer too large'));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // Not JSON (a 404 page of a server without v2): the status says enough.
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function v2Http(connection: EtcdConnection): V2Http {
  const timeoutMs = connection.callTimeoutMs || DEFAULT_CALL_TIMEOUT_MS;
  return {
    async call(method, path, body) {
      if (!/^\/v2\/(auth|keys)\//.test(path)) throw new WardenError('internal', `not a v2 path: ${path}`);
      const payload = body === undefined ? undefined : JSON.stringify(body);
      let last: unknown;
      for (const endpoint of connection.endpoints) {
        try {
          return await callOne(endpoint, connection, method, path, payload, timeoutMs);
        } catch (error) {
          last = error;
        }
      }
      throw new WardenError(
        'unavailable',
        `etcd's v2 API did not answer ${method} ${path}: ${(last as Error)?.message ?? 'no endpoint'}`,
        true,
      );
    },
  };
}
