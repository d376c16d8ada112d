// Typed errors of the core. Fronts turn them into exit codes, HTTP statuses or annotations;
// `retryable` says whether the same call may succeed later without any change of input.

export type ErrorCode =
  | 'invalid-input'
  | 'invalid-policy'
  | 'not-found'
  | 'forbidden'
  | 'conflict'
  | 'locked'
  | 'unavailable'
  | 'internal';

export class WardenError extends Error {
  override readonly name = 'WardenError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryable = false,
  ) {
    super(message);
  }
}

export const isWardenError = (e: unknown): e is WardenError => e instanceof WardenError;
