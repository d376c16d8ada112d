// Every etcd3 failure becomes a WardenError through one table (after microsoft/etcd3's own
// errors.ts: a typed error per kind, with a retryable flag). `transient` rows are the ones the
// fault handling retries within a call's budget (fault-handling.ts): etcd answers them while a
// member stops or a leader is elected, and the same call succeeds once that is over. Messages
// never include request payloads: they may carry key names, never keys.
import { WardenError } from '../errors.js';
import { type Etcd3Module, loadedEtcd3 } from './etcd3-runtime.js';

interface ErrorRow {
  /** Whether `error` (its first line is `message`) is of this kind. */
  matches(error: Error, message: string, etcd3: Etcd3Module): boolean;
  code: WardenError['code'];
  /** Retried by the fault handling before anyone sees it. */
  transient: boolean;
  describe(doing: string, message: string): string;
}

const NO_QUORUM = /no leader|timed out|deadline/i;
const BUSY = /etcdserver: (leader changed|revision of auth store is old|too many requests)/;

const TABLE: readonly ErrorRow[] = [
  {
    matches: (error, _, etcd3) =>
      error instanceof etcd3.EtcdPermissionDeniedError || error instanceof etcd3.GRPCUnauthenticatedError,
    code: 'forbidden',
    transient: false,
    describe: (doing) =>
      `etcd refused ${doing}: permission denied (the client certificate's CN must be an etcd user holding the root role)`,
  },
  {
    // Raft could not commit in time: an election is under way, or a quorum is missing.
    matches: (error, message, etcd3) =>
      error instanceof etcd3.GRPCDeadlineExceededError || NO_QUORUM.test(message),
    code: 'unavailable',
    transient: true,
    describe: (doing, message) =>
      `etcd did not answer while ${doing}: ${message} (is a quorum of members up?)`,
  },
  {
    // A new leader, or another auth change landing between etcd checking this request and
    // applying it: nothing is wrong with the request.
    matches: (_, message) => BUSY.test(message),
    code: 'unavailable',
    transient: true,
    describe: (doing, message) => `etcd was busy while ${doing}: ${message}`,
  },
  {
    // A member that is down, restarting or unreachable; gRPC's other connection errors.
    matches: (error, _, etcd3) =>
      error instanceof etcd3.GRPCUnavailableError || etcd3.isRecoverableError(error),
    code: 'unavailable',
    transient: true,
    describe: (doing, message) => `cannot reach etcd while ${doing}: ${message}`,
  },
];

// gRPC starts each message with its status ("9 FAILED_PRECONDITION: ") and appends an empty
// "Resolution note:" to connection errors; neither tells a reader anything etcd's words do not.
const firstLine = (error: unknown): string =>
  (error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error))
    .replace(/^\d+ [A-Z_]+: /, '')
    .replace(/\.? Resolution note: ?$/, '');

function rowOf(error: unknown): ErrorRow | undefined {
  // Before etcd3 is loaded no etcd3 error can exist.
  const etcd3 = loadedEtcd3();
  if (!etcd3 || !(error instanceof Error) || error instanceof WardenError) return undefined;
  const message = firstLine(error);
  return TABLE.find((row) => row.matches(error, message, etcd3));
}

/** An etcd3 error that the same call, sent again a moment later, may not meet. */
export const isTransient = (error: unknown): boolean => rowOf(error)?.transient === true;

export function etcdFailure(error: unknown, doing: string): WardenError {
  if (error instanceof WardenError) return error;
  const message = firstLine(error);
  const row = rowOf(error);
  if (!row) return new WardenError('internal', `etcd failed while ${doing}: ${message}`);
  return new WardenError(row.code, row.describe(doing, message), row.transient);
}
