// etcdctl-style connection flags for every command that talks to etcd: --endpoints, --cacert,
// --cert, --key (or ETCDCTL_ENDPOINTS, ETCDCTL_CACERT, ETCDCTL_CERT, ETCDCTL_KEY) and
// --command-timeout. The identity etcd sees is the client certificate's CN.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { WardenError } from '../shared/errors.js';
import { DEFAULT_CALL_TIMEOUT_MS, type EtcdConnection } from '../shared/etcd/connect.js';
import { etcdEndpointUrls } from '../shared/etcd/endpoints.js';
import { parseDuration } from '../shared/policy/duration.js';
import { UsageError } from './command.js';
import type { CliIo } from './io.js';

export interface ConnectionFlags {
  endpoints?: string;
  cacert?: string;
  cert?: string;
  key?: string;
  'command-timeout'?: string;
}

export interface ResolvedConnection extends EtcdConnection {
  /** The etcd user this connection acts as: the client certificate's CN. */
  identity: string;
}

/** A flag value, else its ETCDCTL_ variable, else a usage error naming both. */
function pick(flags: ConnectionFlags, io: CliIo, flag: keyof ConnectionFlags, variable: string): string {
  const value = flags[flag] ?? io.env[variable];
  if (!value) throw new UsageError(`--${flag} (or ${variable}) is required`);
  return value;
}

async function readPem(io: CliIo, path: string, what: string): Promise<string> {
  try {
    return await readFile(resolve(io.cwd, path), 'utf8');
  } catch (error) {
    throw new WardenError(
      'invalid-input',
      `cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }
}

/** Seconds as Go-style durations ("5s", "1m30s"), like etcdctl's --command-timeout. */
export function durationMs(text: string | undefined, flag: string, fallbackMs: number): number {
  if (text === undefined) return fallbackMs;
  if (/^0+[dhms]?$/.test(text)) return 0;
  const seconds = parseDuration(text);
  if (seconds === undefined || !(seconds >= 0))
    throw new UsageError(`--${flag} must be a duration such as 5s or 1m`);
  return seconds * 1000;
}

export function commonNameOf(certPem: string, path: string): string {
  let subject: string;
  try {
    subject = new X509Certificate(certPem).subject;
  } catch {
    throw new WardenError('invalid-input', `${path} is not a PEM certificate`);
  }
  const cn = subject.split('\n').find((line) => line.startsWith('CN='));
  if (!cn)
    throw new WardenError('invalid-input', `${path} has no Common Name: etcd could not map it to a user`);
  return cn.slice(3);
}

export async function resolveConnection(flags: ConnectionFlags, io: CliIo): Promise<ResolvedConnection> {
  const endpoints = etcdEndpointUrls(
    pick(flags, io, 'endpoints', 'ETCDCTL_ENDPOINTS'),
    flags.endpoints === undefined ? 'ETCDCTL_ENDPOINTS' : '--endpoints',
  );
  const certPath = pick(flags, io, 'cert', 'ETCDCTL_CERT');
  const [caPem, certPem, keyPem] = await Promise.all([
    readPem(io, pick(flags, io, 'cacert', 'ETCDCTL_CACERT'), 'CA certificate'),
    readPem(io, certPath, 'client certificate'),
    readPem(io, pick(flags, io, 'key', 'ETCDCTL_KEY'), 'client key'),
  ]);
  return {
    endpoints,
    caPem,
    certPem,
    keyPem,
    identity: commonNameOf(certPem, certPath),
    callTimeoutMs: durationMs(flags['command-timeout'], 'command-timeout', DEFAULT_CALL_TIMEOUT_MS),
  };
}

/** Colors only on a terminal, and never when NO_COLOR is set. */
export const useColor = (io: CliIo): boolean => io.isTty && !io.env.NO_COLOR;
