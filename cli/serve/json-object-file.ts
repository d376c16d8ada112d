// serve's configuration files are JSON objects; one reader says the
// same thing of every unreadable or misshapen one.
import { readFile } from 'node:fs/promises';
import { WardenError } from '../../shared/errors.js';

/** The object in `file`; `what` names the file ("identities"), `shape` shows what it should hold. */
export async function readJsonObjectFile(
  file: string,
  what: string,
  shape: string,
): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new WardenError(
      'invalid-input',
      `cannot read ${what} ${file}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new WardenError('invalid-input', `${file} must be a JSON object ${shape}`);
  return value as Record<string, unknown>;
}
