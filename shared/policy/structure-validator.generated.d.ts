// Types of the validator that build.mjs compiles from schema.ts with Ajv's standalone code.
import type { ValidateFunction } from 'ajv';

export const validate: ValidateFunction;
export default validate;
