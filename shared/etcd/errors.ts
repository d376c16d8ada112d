// etcd and gRPC failures as WardenErrors a person can act on. Messages never include request
// payloads: they may carry key names, never keys, but we keep them to what went wrong.
import { WardenError } from '../errors.js';
import { loadedEtcd3 } from './etcd3-runtime.js';
import { GrpcCode, GrpcStatusError } from './grpc-channel.js';

type ErrorClass =
  | 'EtcdPermissionDeniedError'
  | 'GRPCUnauthenticatedError'
  | 'GRPCDeadlineExceededError'
  | 'GRPCUnavailableError';

export function etcdFailure(error: unknown, doing: string): WardenError {
  if (error instanceof WardenError) return error;
  // gRPC appends an empty "Resolution note:" to connection errors; it tells a reader nothing.
  const message = (error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error)).replace(
    /\.? Resolution note: ?$/,
    '',
  );
  // Before etcd3 is loaded no etcd3 error can exist, and no etcd3 class matches.
  const etcd3 = loadedEtcd3();
  const is = (kind: ErrorClass): boolean => etcd3 !== undefined && error instanceof etcd3[kind];
  // The same four cases from the HTTP/2 channel (grpc-channel.ts), by status code.
  const status = error instanceof GrpcStatusError ? error.code : undefined;
  if (
    is('EtcdPermissionDeniedError') ||
    is('GRPCUnauthenticatedError') ||
    status === GrpcCode.PERMISSION_DENIED ||
    status === GrpcCode.UNAUTHENTICATED
  ) {
    return new WardenError(
      'forbidden',
      `etcd refused ${doing}: permission denied (the client certificate's CN must be an etcd user holding the root role)`,
    );
  }
  if (
    is('GRPCDeadlineExceededError') ||
    status === GrpcCode.DEADLINE_EXCEEDED ||
    /timed out|no leader|deadline/i.test(message)
  ) {
    return new WardenError(
      'unavailable',
      `etcd did not answer while ${doing}: ${message} (is a quorum of members up?)`,
      true,
    );
  }
  if (
    is('GRPCUnavailableError') ||
    status === GrpcCode.UNAVAILABLE ||
    (error instanceof Error && etcd3?.isRecoverableError(error))
  ) {
    return new WardenError('unavailable', `cannot reach etcd while ${doing}: ${message}`, true);
  }
  return new WardenError('internal', `etcd failed while ${doing}: ${message}`);
}
