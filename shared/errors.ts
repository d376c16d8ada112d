// Typed errors of the core. Fronts turn them into exit codes, HTTP statuses or annotations;
// `retryable` says whether the same call may succeed later without any change of input.

/** Every code a WardenError carries; fronts that read a code from elsewhere check it against this. */
export const ERROR_CODES = [
  'invalid-input',
  'invalid-policy',
  'not-found',
  'forbidden',
  'conflict',
  'locked',
  'unavailable',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const isErrorCode = (value: unknown): value is ErrorCode =>
  (ERROR_CODES as readonly unknown[]).includes(value);

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
