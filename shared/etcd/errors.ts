// etcd and gRPC failures as WardenErrors a person can act on. Messages never include request
// payloads: they may carry key names, never keys, but we keep them to what went wrong.
import {
  EtcdPermissionDeniedError,
  GRPCDeadlineExceededError,
  GRPCUnauthenticatedError,
  GRPCUnavailableError,
  isRecoverableError,
} from 'etcd3';
import { WardenError } from '../errors.js';

export function etcdFailure(error: unknown, doing: string): WardenError {
  if (error instanceof WardenError) return error;
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  if (error instanceof EtcdPermissionDeniedError || error instanceof GRPCUnauthenticatedError) {
    return new WardenError(
      'forbidden',
      `etcd refused ${doing}: permission denied (the client certificate's CN must be an etcd user holding the root role)`,
    );
  }
  if (error instanceof GRPCDeadlineExceededError || /timed out|no leader|deadline/i.test(message ?? '')) {
    return new WardenError(
      'unavailable',
      `etcd did not answer while ${doing}: ${message} (is a quorum of members up?)`,
      true,
    );
  }
  if (error instanceof GRPCUnavailableError || (error instanceof Error && isRecoverableError(error))) {
    return new WardenError('unavailable', `cannot reach etcd while ${doing}: ${message}`, true);
  }
  return new WardenError('internal', `etcd failed while ${doing}: ${message}`);
}
