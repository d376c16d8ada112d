// Flag handling shared by the PKI commands (ca, cert, render): strict parsing that reports
// mistakes as usage errors, the CA store and policy defaults, durations.
import { resolve } from 'node:path';
import { type CaStore, DEFAULT_CA_STORE, openCaStore } from '../../shared/castore/index.js';
import { quote } from '../../shared/policy/diagnostics.js';
import { DURATION_RULE, parseDuration } from '../../shared/policy/duration.js';
import { UsageError } from '../command.js';
import type { CliIo } from '../io.js';

export const DEFAULT_POLICY = 'etcd-warden.yaml';

/** --ca-store, else ETCD_WARDEN_CA_STORE, else the local file store. */
export const caStoreFrom = (url: string | undefined, io: CliIo): CaStore =>
  openCaStore(url ?? io.env.ETCD_WARDEN_CA_STORE ?? DEFAULT_CA_STORE, { cwd: io.cwd });

export const pathFrom = (io: CliIo, path: string): string => resolve(io.cwd, path);

export function durationFrom(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const seconds = parseDuration(text);
  if (seconds === undefined) throw new UsageError(`${flag} ${quote(text)} is not ${DURATION_RULE}`);
  return seconds;
}
