// Function configuration comes from environment variables; a missing one is a deployment fault.
import { WardenError } from '../shared/errors.js';

export function requiredEnv(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new WardenError('internal', `the function is not configured: ${name} is not set`);
  return value;
}

/** A whole number of seconds, or undefined when the variable is not set. */
export function optionalSeconds(name: string): number | undefined {
  const value = process.env[name]?.trim();
  if (!value) return undefined;
  if (!/^\d+$/.test(value))
    throw new WardenError(
      'internal',
      `the function is misconfigured: ${name} must be a whole number of seconds`,
    );
  return Number(value);
}
