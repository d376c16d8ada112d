// The Action's inputs as one typed value. Exactly one target for plan and apply: the apply-rbac
// function (`function-name`) or etcd itself (`endpoints` + `ca` + `cert` + `key`).
import * as core from '@actions/core';
import { WardenError } from '../../shared/errors.js';
import { etcdEndpointUrls } from '../../shared/etcd/endpoints.js';
import { parseDuration } from '../../shared/policy/duration.js';

export type ActionCommand = 'validate' | 'plan' | 'apply';

export interface DirectTarget {
  kind: 'direct';
  endpoints: string[];
  /** Each is PEM text or a path (relative to the workspace) of a PEM file. */
  ca: string;
  cert: string;
  key: string;
  lockWaitMs: number;
}

export interface FunctionTarget {
  kind: 'function';
  functionName: string;
}

export interface ActionInputs {
  command: ActionCommand;
  /** The policy path as given (relative to the workspace unless absolute). */
  policy: string;
  target?: DirectTarget | FunctionTarget;
}

const COMMANDS: readonly ActionCommand[] = ['validate', 'plan', 'apply'];

const invalid = (message: string): WardenError => new WardenError('invalid-input', message);

export function readInputs(): ActionInputs {
  const command = core.getInput('command') || 'validate';
  if (!COMMANDS.includes(command as ActionCommand)) {
    throw invalid(`input "command" must be validate, plan or apply (got "${command}")`);
  }
  const policy = core.getInput('policy') || 'etcd-warden.yaml';
  if (command === 'validate') return { command: 'validate', policy };
  return { command: command as ActionCommand, policy, target: readTarget() };
}

function readTarget(): DirectTarget | FunctionTarget {
  const functionName = core.getInput('function-name');
  const direct = {
    endpoints: core.getInput('endpoints'),
    ca: core.getInput('ca'),
    cert: core.getInput('cert'),
    key: core.getInput('key'),
  };
  // The key is a secret whether it came from a secret or not; mask it before anything can echo it.
  maskPem(direct.key);
  const given = Object.entries(direct).filter(([, value]) => value !== '');
  if (functionName) {
    if (given.length > 0) {
      throw invalid(
        `give either function-name or endpoints/ca/cert/key, not both (also got ${given.map(([n]) => n).join(', ')})`,
      );
    }
    return { kind: 'function', functionName };
  }
  const missing = Object.entries(direct)
    .filter(([, value]) => value === '')
    .map(([name]) => name);
  if (missing.length === 4) {
    throw invalid('plan and apply need a target: function-name, or endpoints, ca, cert and key');
  }
  if (missing.length > 0)
    throw invalid(`direct mode needs endpoints, ca, cert and key (missing ${missing.join(', ')})`);
  const lockTimeout = core.getInput('lock-timeout') || '1m';
  const seconds = /^0+[dhms]?$/.test(lockTimeout) ? 0 : parseDuration(lockTimeout);
  if (seconds === undefined) {
    throw invalid(`input "lock-timeout" must be a duration such as 30s or 2m (got "${lockTimeout}")`);
  }
  return {
    kind: 'direct',
    endpoints: etcdEndpointUrls(direct.endpoints, 'input "endpoints"'),
    ca: direct.ca,
    cert: direct.cert,
    key: direct.key,
    lockWaitMs: seconds * 1000,
  };
}

/**
 * Masks a value and each of its lines: the runner matches masks line by line, so a multi-line
 * PEM registered whole would still show in a log that prints one of its lines.
 */
export function maskPem(value: string): void {
  if (!value) return;
  core.setSecret(value);
  for (const line of value.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed && !trimmed.startsWith('-----')) core.setSecret(trimmed);
  }
}
