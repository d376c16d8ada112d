// The node deployment examples stay usable: the shell parses, the manifest is valid YAML with the
// kinds it says, and every agent or cert request command in them parses as the CLI declares it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { parseCommand } from '../../cli/args.js';
import { SPECS } from '../../cli/commands/specs.js';
import { REPO } from '../support/cli.js';

const EXAMPLES = join(REPO, 'examples', 'node');
const read = (name: string) => readFileSync(join(EXAMPLES, name), 'utf8');

/** The etcd-warden command lines of a unit file, continuation lines joined, as argument lists. */
function commandLines(text: string): string[][] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  return [...joined.matchAll(/etcd-warden ((?:agent|cert request)[^\n]*)/g)].map((m) =>
    (m[1]?.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^["']|["']$/g, '')),
  );
}

describe('node examples', () => {
  it('user data is valid bash', () => {
    // Act
    const run = spawnSync('bash', ['-n', join(EXAMPLES, 'ec2-user-data.sh')], { encoding: 'utf8' });
    // Assess
    expect(run.status, run.stderr).toBe(0);
  });

  it('the Kubernetes manifest is YAML: a ServiceAccount and a Deployment with the agent beside the component', () => {
    // Act
    const docs = parseAllDocuments(read('kubernetes-agent.yaml')).map((d) => d.toJS());
    // Assess
    expect(docs.map((d) => d.kind)).toEqual(['ServiceAccount', 'Deployment']);
    const containers = docs[1].spec.template.spec.containers.map((c: { name: string }) => c.name);
    expect(containers).toContain('etcd-warden-agent');
  });

  it.each(['etcd-warden-agent.service', 'etcd-warden-renew.service', 'ec2-user-data.sh'])(
    '%s: its commands use only declared flags',
    (file) => {
      // Prepare
      const lines = commandLines(read(file));
      expect(lines.length).toBeGreaterThan(0);
      for (const words of lines) {
        const spec = words[0] === 'agent' ? SPECS.agent : SPECS['cert request'];
        const args = words.slice(words[0] === 'agent' ? 1 : 2);
        // Act + Assess
        expect(() => parseCommand(spec, args)).not.toThrow();
      }
    },
  );
});
