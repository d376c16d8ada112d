import { createInterface } from 'node:readline/promises';
import { WardenError } from '../../shared/errors.js';
import { DEFAULT_LOCK_TTL_SECONDS } from '../../shared/etcd/apply-lock.js';
import { APPLY_CONCURRENCY, withClusterAccess } from '../../shared/etcd/backend.js';
import { preloadEtcd3 } from '../../shared/etcd/etcd3-runtime.js';
import { applyPolicy } from '../../shared/rbac/apply.js';
import {
  applyReportToJson,
  describeChange,
  formatChange,
  formatPlan,
} from '../../shared/rbac/format-plan.js';
import { parseCommand } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { durationMs, resolveConnection, useColor } from '../connection.js';
import { loadPolicyFile } from '../policy-file.js';
import { printWarnings } from '../warnings.js';
import { SPECS } from './specs.js';

/** Beyond this many changes a terminal gets a progress line instead of silence. */
const PROGRESS_FROM = 20;
/**
 * Elsewhere each applied change is a line, written as it lands; from this many changes on, in
 * batches at most PROGRESS_BATCH_MS apart: one write per change cost a 5,000-change apply about
 * 300 ms of its one thread (a pipe takes each write synchronously), time the changes wait for.
 */
const BATCH_FROM = 1_000;
const PROGRESS_BATCH_MS = 100;

/** Lines gathered and written together, at most `everyMs` after the first of them is gathered. */
function batchedLines(write: (text: string) => void, everyMs: number) {
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending) write(pending);
    pending = '';
  };
  return {
    add(line: string): void {
      pending += line;
      timer ??= setTimeout(flush, everyMs).unref();
    },
    flush,
  };
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export const applyCommand: Command = {
  async run(args, io) {
    const { values, positionals } = parseCommand(SPECS.apply, args);
    if (positionals.length > 1) throw new UsageError('apply takes one policy file');
    // Asked only when there is something to apply: "No changes" needs no prompt and no --yes.
    const canAsk = io.isTty && process.stdin.isTTY;
    const file = positionals[0] ?? values.policy ?? 'etcd-warden.yaml';
    preloadEtcd3();
    const policy = await loadPolicyFile(file);
    const connection = await resolveConnection(values, io);
    const lockOptions = {
      waitMs: durationMs(values['lock-timeout'], 'lock-timeout', 0),
      ttlSeconds: Math.max(
        1,
        Math.round(durationMs(values['lock-ttl'], 'lock-ttl', DEFAULT_LOCK_TTL_SECONDS * 1000) / 1000),
      ),
    };
    const color = useColor(io);
    const text = !values.json;
    const progressLine = io.isTty && text;
    const appliedLines = batchedLines((lines) => io.out(lines), PROGRESS_BATCH_MS);

    const report = await withClusterAccess(connection, lockOptions, ({ backend, versions }) =>
      applyPolicy(policy, backend, {
        identity: connection.identity,
        versions,
        concurrency: APPLY_CONCURRENCY,
        approve: async (changes) => {
          if (changes.length === 0) return true;
          if (text) io.out(`${formatPlan(changes, color)}\n`);
          if (!values.yes && !canAsk) {
            throw new UsageError('not on a terminal: pass --yes to apply without the prompt');
          }
          return (
            values.yes ||
            confirm(`Apply ${changes.length} change${changes.length > 1 ? 's' : ''} to etcd? [y/N] `)
          );
        },
        onProgress: (done, total, change) => {
          if (!text) return;
          if (progressLine && total >= PROGRESS_FROM) {
            io.err(`\r${done}/${total} applied${done === total ? '\n' : ''}`);
          } else if (!progressLine) {
            const line = `applied ${formatChange(change, false)}\n`;
            if (total >= BATCH_FROM) appliedLines.add(line);
            else io.out(line);
          }
        },
      }),
    ).finally(appliedLines.flush);

    printWarnings(io, report.warnings);
    if (values.json) io.out(`${JSON.stringify(applyReportToJson(report), null, 2)}\n`);
    if (report.declined) {
      if (text) io.out('Apply cancelled: nothing was changed.\n');
      return 1;
    }
    if (report.failure) {
      const { change, error } = report.failure;
      if (text) {
        io.out(`Applied ${report.applied.length} of ${report.planned.length} changes, then stopped.\n`);
      }
      throw new WardenError(
        error.code,
        `failed at "${describeChange(change)}": ${error.message}`,
        error.retryable,
      );
    }
    if (report.remaining.length > 0) {
      if (text) io.out(`${formatPlan(report.remaining, color)}\n`);
      throw new WardenError(
        'conflict',
        `applied ${report.applied.length} changes but etcd still differs from the policy (changed by someone else meanwhile?); run plan`,
      );
    }
    if (text) {
      io.out(
        report.planned.length === 0
          ? 'No changes: etcd matches the policy.\n'
          : `Applied ${report.applied.length} changes; etcd now matches the policy.\n`,
      );
    }
    return 0;
  },
};
