// The GitHub Action: inputs → core calls → annotations, job summary and outputs. Every failure
// ends as one `::error::` line plus the summary, never a stack trace.
import * as core from '@actions/core';
import { WardenError } from '../../shared/errors.js';
import { describeChange, summarizeChanges } from '../../shared/rbac/format-plan.js';
import { annotate } from './annotations.js';
import { runDirect } from './direct.js';
import { type ActionInputs, readInputs } from './inputs.js';
import { runFunction } from './lambda.js';
import { changeCount, type RbacOutcome } from './outcome.js';
import { readWorkspacePolicy } from './policy-file.js';
import { changesOf, errorSummary, rbacSummary, validateSummary } from './summary.js';

let summaryWritten = false;

async function writeSummary(markdown: string): Promise<void> {
  summaryWritten = true;
  // Outside a runner (no GITHUB_STEP_SUMMARY) there is nowhere to write it; the log has the rest.
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown).write();
}

/** Why an apply ended short of the policy, or undefined when etcd now matches it. */
function applyProblem(outcome: RbacOutcome): string | undefined {
  if (outcome.failure) {
    const failed = outcome.failure.change && changesOf([outcome.failure.change])[0];
    return failed
      ? `failed at "${describeChange(failed)}": ${outcome.failure.message}`
      : outcome.failure.message;
  }
  if (outcome.remaining && outcome.remaining.length > 0) {
    return `applied ${outcome.applied?.length ?? 0} changes but etcd still differs from the policy (changed by someone else meanwhile?); run plan`;
  }
  return undefined;
}

async function run(inputs: ActionInputs, workspace: string): Promise<void> {
  const { file, text, policy, diagnostics } = await readWorkspacePolicy(inputs.policy, workspace);
  const skipped = annotate(diagnostics);
  if (inputs.command === 'validate' || !policy || text === undefined) {
    await writeSummary(validateSummary(file, diagnostics, skipped));
    if (policy) return;
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const refused = inputs.command === 'validate' ? '' : `; ${inputs.command} did not run`;
    throw new WardenError(
      'invalid-policy',
      `${file} is invalid: ${errors} error${errors === 1 ? '' : 's'}${refused}`,
    );
  }
  const target = inputs.target;
  if (!target) throw new WardenError('invalid-input', `${inputs.command} needs a target`);
  const command = inputs.command;
  const outcome =
    target.kind === 'direct'
      ? await runDirect(command, policy, target, workspace)
      : await runFunction(command, text, target);

  for (const warning of outcome.warnings ?? []) core.warning(warning);
  const planned = changesOf(outcome.planned);
  core.setOutput('changes', changeCount(outcome));
  core.setOutput('plan', JSON.stringify({ changes: outcome.planned, summary: summarizeChanges(planned) }));
  const problem = outcome.command === 'apply' ? applyProblem(outcome) : undefined;
  await writeSummary(rbacSummary(file, outcome, diagnostics, problem));
  if (problem) throw new WardenError(outcome.failure ? 'internal' : 'conflict', problem);
  core.info(
    outcome.command === 'plan'
      ? `${planned.length} change${planned.length === 1 ? '' : 's'} pending`
      : `applied ${changeCount(outcome)} changes`,
  );
}

/** The first line of an error's message: enough to act on, and never a stack. */
const oneLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0] || 'unknown error';

async function main(): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const command = core.getInput('command') || 'validate';
  try {
    await run(readInputs(), workspace);
  } catch (error) {
    const message = oneLine(error);
    if (!summaryWritten) await writeSummary(errorSummary(command, message));
    core.setFailed(message);
  }
}

await main();
// The step's result is known (core.setFailed set the exit code on failure). A handle left open,
// such as gRPC still connecting to a member that never answered, must not keep the job running.
const exitOnceWritten = (): void => {
  if (process.stdout.writableLength + process.stderr.writableLength === 0) process.exit();
  setTimeout(exitOnceWritten, 100).unref();
};
setTimeout(exitOnceWritten, 100).unref();
