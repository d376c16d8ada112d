// Function configuration comes from environment variables; a missing one is a deployment fault.
import { WardenError } from '../shared/errors.js';

export function requiredEnv(name: string): string {
  const value = process.env[name]?.trim();
  if (!value) throw new WardenError('internal', `the function is not configured: ${name} is not set`);
  return value;
}
