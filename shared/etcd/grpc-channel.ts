// Unary gRPC calls to etcd over node:http2, without a gRPC library. etcd3 (gRPC-js, and
// protobufjs parsing etcd's .proto files) costs about 250 ms to load and about 0.4 ms of CPU per
// call; reading a cluster's auth state is one call per role and per user, so this channel does the
// reads with a fraction of both (BENCHMARKS.md, section rbac). One HTTP/2 session at a time,
// TLS with the client certificate only; on a connection failure it moves to the next endpoint.
import { type ClientHttp2Session, connect, constants } from 'node:http2';
import type { EtcdConnection } from './connect.js';
import { DEFAULT_CALL_TIMEOUT_MS } from './connect.js';

/** gRPC status codes this module raises or callers test for. */
export const GrpcCode = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  PERMISSION_DENIED: 7,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** A call that ended with a non-OK gRPC status (or could not reach a member: UNAVAILABLE). */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'GrpcStatusError';
  }
}

export interface GrpcChannel {
  /** Sends one request message to `path` (`/package.Service/Method`) and returns the answer message. */
  unary(path: string, request: Buffer): Promise<Buffer>;
  close(): void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function frame(message: Buffer): Buffer {
  const framed = Buffer.alloc(5 + message.length);
  framed.writeUInt32BE(message.length, 1);
  message.copy(framed, 5);
  return framed;
}

function grpcMessage(value: unknown): string {
  const text = String(value ?? '');
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function openGrpcChannel(connection: EtcdConnection): GrpcChannel {
  const timeoutMs = connection.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const { endpoints } = connection;
  let endpointIndex = 0;
  let session: Promise<ClientHttp2Session> | undefined;
  let closed = false;

  const open = (endpoint: string): Promise<ClientHttp2Session> =>
    new Promise((resolve, reject) => {
      const s = connect(endpoint, {
        ca: connection.caPem,
        cert: connection.certPem,
        key: connection.keyPem,
      });
      const timer = setTimeout(() => {
        s.destroy();
        reject(
          new GrpcStatusError(GrpcCode.UNAVAILABLE, `no connection to ${endpoint} within ${timeoutMs} ms`),
        );
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      // Before the connection: the reason it failed. After: the streams report their own errors.
      s.on('error', (error) => {
        clearTimeout(timer);
        reject(new GrpcStatusError(GrpcCode.UNAVAILABLE, error.message));
      });
    });

  const drop = (): void => {
    const old = session;
    session = undefined;
    old?.then(
      (s) => s.destroy(),
      () => undefined,
    );
  };

  const currentSession = (): Promise<ClientHttp2Session> => {
    if (closed) return Promise.reject(new GrpcStatusError(GrpcCode.UNAVAILABLE, 'channel closed'));
    if (!session) {
      const opening = open(endpoints[endpointIndex % endpoints.length] as string);
      session = opening;
      // A session that ends (member stopped, GOAWAY) or never opened is replaced on the next call.
      const forget = (): void => {
        if (session === opening) session = undefined;
      };
      opening.then((s) => s.once('close', forget), forget);
    }
    return session;
  };

  const once = async (
    sessionPromise: Promise<ClientHttp2Session>,
    path: string,
    request: Buffer,
  ): Promise<Buffer> => {
    const s = await sessionPromise;
    return new Promise((resolve, reject) => {
      const stream = s.request({
        ':method': 'POST',
        ':path': path,
        'content-type': 'application/grpc',
        te: 'trailers',
        // etcd stops waiting for raft at the deadline and answers DEADLINE_EXCEEDED itself.
        'grpc-timeout': `${timeoutMs}m`,
      });
      const chunks: Buffer[] = [];
      let status: number | undefined;
      let message = '';
      let httpStatus = 0;
      const take = (headers: Record<string, unknown>): void => {
        if (headers['grpc-status'] === undefined) return;
        status = Number(headers['grpc-status']);
        message = grpcMessage(headers['grpc-message']);
      };
      stream.on('response', (headers) => {
        httpStatus = Number(headers[':status']);
        take(headers);
      });
      stream.on('trailers', take);
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      // A member that stops answering (no quorum, paused) must not hang the call.
      stream.setTimeout(timeoutMs, () => {
        status ??= GrpcCode.DEADLINE_EXCEEDED;
        message ||= `deadline exceeded after ${timeoutMs} ms`;
        stream.close(constants.NGHTTP2_CANCEL);
      });
      stream.on('error', (error) => {
        status ??= GrpcCode.UNAVAILABLE;
        message ||= error.message;
      });
      stream.on('close', () => {
        if (status === 0) {
          const body = Buffer.concat(chunks);
          if (body.length < 5 || body[0] !== 0) {
            reject(new GrpcStatusError(GrpcCode.UNAVAILABLE, `malformed gRPC answer from ${path}`));
            return;
          }
          resolve(body.subarray(5, 5 + body.readUInt32BE(1)));
          return;
        }
        reject(
          new GrpcStatusError(
            status ?? GrpcCode.UNAVAILABLE,
            message || `stream closed without a status (HTTP ${httpStatus || 'none'})`,
          ),
        );
      });
      stream.end(frame(request));
    });
  };

  return {
    // Like the etcd3 client's fault handling (fault-handling.ts): a member that cannot answer now
    // is left for the next one, two rounds over all of them within twice the call timeout.
    async unary(path, request) {
      const deadline = Date.now() + timeoutMs * 2;
      const attempts = Math.max(3, endpoints.length * 2);
      for (let attempt = 0; ; attempt++) {
        const usedIndex = endpointIndex;
        const used = currentSession();
        try {
          return await once(used, path, request);
        } catch (error) {
          const unavailable = error instanceof GrpcStatusError && error.code === GrpcCode.UNAVAILABLE;
          if (!unavailable || closed || attempt + 1 >= attempts || Date.now() >= deadline) throw error;
          // Many calls in flight fail together: only the first moves on, the rest follow it.
          if (endpointIndex === usedIndex) {
            endpointIndex++;
            if (session === used) drop();
          }
          await sleep(Math.min(25 * 2 ** attempt, 400));
        }
      }
    },
    close() {
      closed = true;
      drop();
    },
  };
}
