import { formatDiagnostic, hasErrors } from '../../shared/policy/diagnostics.js';
import { readPolicyFile } from '../../shared/policy/read-file.js';
import { formatSummary, formatVerdict, summarizePolicy } from '../../shared/policy/summary.js';
import { parseCommand } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { SPECS } from './specs.js';

export const validateCommand: Command = {
  async run(args, io) {
    const { values, positionals } = parseCommand(SPECS.validate, args);
    if (positionals.length > 1) throw new UsageError('validate takes one policy file');
    if (values.format !== 'text' && values.format !== 'json')
      throw new UsageError(`unknown format "${values.format}"`);
    const file = positionals[0] ?? values.policy ?? 'etcd-warden.yaml';

    const { policy, diagnostics } = await readPolicyFile(file);
    const valid = !hasErrors(diagnostics);
    if (values.format === 'json') {
      io.out(
        `${JSON.stringify({ file, valid, diagnostics, summary: policy && summarizePolicy(policy) }, null, 2)}\n`,
      );
    } else {
      for (const d of diagnostics) io.out(`${formatDiagnostic(d)}\n`);
      io.out(`${formatVerdict(file, diagnostics, policy)}\n`);
      if (policy && values.summary) io.out(formatSummary(policy));
    }
    return valid ? 0 : 1;
  },
};
