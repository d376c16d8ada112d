// Structural validation: the JSON Schema, checked by the Ajv validator that build.mjs compiles
// ahead of time, with each finding placed on its line.
import type { ErrorObject } from 'ajv';
import { quote } from './diagnostics.js';
import { DURATION_PATTERN } from './schema.js';
import type { Path, PathSegment } from './source.js';
import { validate } from './structure-validator.generated.js';

export interface StructureFinding {
  /** Every structural finding is an error: nothing else can be checked until it is fixed. */
  severity: 'error';
  rule: string;
  path: Path;
  part: 'key' | 'value';
  message: string;
}

const YAML_TYPE: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  boolean: 'true or false',
  number: 'a number',
  integer: 'a whole number',
};

export function checkStructure(data: unknown): StructureFinding[] {
  if (data === null || data === undefined) {
    return [
      {
        severity: 'error',
        rule: 'schema-required',
        path: [],
        part: 'value',
        message: 'the policy is empty; it needs at least `version: 1`',
      },
    ];
  }
  if (validate(data)) return [];
  const seen = new Set<string>();
  const findings: StructureFinding[] = [];
  for (const error of validate.errors ?? []) {
    const finding = describeError(error, toPath(error.instancePath, data));
    const id = `${finding.path.join('\0')}|${finding.message}`;
    if (!seen.has(id)) {
      seen.add(id);
      findings.push(finding);
    }
  }
  return findings;
}

function describeError(error: ErrorObject, path: PathSegment[]): StructureFinding {
  const name = describePath(path);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return {
        severity: 'error',
        rule: 'schema-required',
        path,
        part: 'value',
        message: `${name} is missing the required field "${params.missingProperty}"`,
      };
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object })?.properties ?? {});
      return {
        severity: 'error',
        rule: 'unknown-field',
        path: [...path, field],
        part: 'key',
        message: `unknown field ${quote(field)} in ${name}; expected ${known.join(', ')}`,
      };
    }
    case 'type':
      return {
        severity: 'error',
        rule: 'schema-type',
        path,
        part: 'value',
        message: `${name} must be ${YAML_TYPE[String(params.type)] ?? params.type}, not ${typeName(error.data)}`,
      };
    case 'enum':
      return {
        severity: 'error',
        rule: 'schema-enum',
        path,
        part: 'value',
        message: `${name} must be one of ${(params.allowedValues as unknown[]).join(', ')}, not ${quote(error.data)}`,
      };
    case 'const':
      return {
        severity: 'error',
        rule: 'schema-version',
        path,
        part: 'value',
        message: `${name} must be ${params.allowedValue}`,
      };
    case 'uniqueItems':
      return {
        severity: 'error',
        rule: 'schema-enum',
        path,
        part: 'value',
        message: `${name} lists a value twice`,
      };
    case 'minItems':
    case 'minLength':
      return {
        severity: 'error',
        rule: 'schema-empty',
        path,
        part: 'value',
        message: `${name} must not be empty`,
      };
    case 'pattern': {
      const expected =
        (error.parentSchema as { description?: string })?.description ?? `text matching ${params.pattern}`;
      const isDuration = params.pattern === DURATION_PATTERN;
      return {
        severity: 'error',
        rule: isDuration ? 'invalid-duration' : 'invalid-serial',
        path,
        part: 'value',
        message: `${name} ${quote(error.data)} is not valid: expected ${expected}`,
      };
    }
    default:
      return {
        severity: 'error',
        rule: 'schema',
        path,
        part: 'value',
        message: `${name} ${error.message ?? 'is invalid'}`,
      };
  }
}

// JSON pointer → path; digit segments are list indexes only where the data is a list.
function toPath(pointer: string, data: unknown): PathSegment[] {
  const path: PathSegment[] = [];
  let node = data;
  for (const raw of pointer.split('/').slice(1)) {
    // Most segments have no escape; a policy with 250,000 findings pays this per segment.
    const segment = raw.includes('~') ? raw.replaceAll('~1', '/').replaceAll('~0', '~') : raw;
    const step: PathSegment = Array.isArray(node) ? Number(segment) : segment;
    path.push(step);
    node = node && typeof node === 'object' ? (node as Record<PathSegment, unknown>)[step] : undefined;
  }
  return path;
}

export const describePath = (path: Path): string => {
  if (path.length === 0) return 'the policy';
  return path.reduce<string>(
    (text, segment) =>
      typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${segment}` : segment,
    '',
  );
};

const typeName = (value: unknown): string =>
  value === null
    ? 'empty'
    : Array.isArray(value)
      ? 'a list'
      : typeof value === 'object'
        ? 'a mapping'
        : `${typeof value} ${quote(value)}`;
