// `verify`: run every probe as its user and compare etcd's answers with the policy's.
import { WardenError } from '../errors.js';
import { describeSpan, fromEtcdRange } from '../policy/keyspan.js';
import type { Probe } from './probes.js';

export interface ProbeResult extends Probe {
  actual: boolean;
}

/** A connection acting as one user. */
export interface UserSession {
  probe(probe: Probe): Promise<boolean>;
  close(): void;
}

export async function runProbes(
  probes: readonly Probe[],
  connectAs: (user: string) => Promise<UserSession>,
): Promise<ProbeResult[]> {
  const byUser = new Map<string, Probe[]>();
  for (const p of probes) byUser.set(p.user, [...(byUser.get(p.user) ?? []), p]);
  const results: ProbeResult[] = [];
  // One user at a time keeps the connections few; its probes run together on one connection.
  for (const [user, list] of byUser) {
    const session = await connectAs(user);
    try {
      const answers = await Promise.all(list.map((p) => session.probe(p)));
      for (const [i, p] of list.entries()) results.push({ ...p, actual: answers[i] as boolean });
    } catch (error) {
      throw error instanceof WardenError
        ? error
        : new WardenError(
            'unavailable',
            `probing as "${user}" failed: ${(error as Error).message.split('\n')[0]}`,
          );
    } finally {
      session.close();
    }
  }
  return results;
}

export const mismatches = (results: readonly ProbeResult[]): ProbeResult[] =>
  results.filter((r) => r.actual !== r.expected);

const RED = '\u001b[31m';
const RESET = '\u001b[0m';

const word = (allowed: boolean): string => (allowed ? 'allowed' : 'refused');

/** The access matrix: one line per user and key span, read and write side by side. */
export function formatMatrix(results: readonly ProbeResult[], color: boolean): string {
  const rows = new Map<
    string,
    { user: string; where: string; span: string; read?: ProbeResult; write?: ProbeResult }
  >();
  for (const r of results) {
    const span = describeSpan(fromEtcdRange(r));
    const id = `${r.user}\u0000${span}`;
    const row = rows.get(id) ?? { user: r.user, where: r.where, span };
    row[r.operation] = r;
    rows.set(id, row);
  }
  // Pad plain text first, then color, so escape codes do not skew the columns.
  const cell = (r?: ProbeResult): string =>
    !r ? '' : r.actual === r.expected ? word(r.actual) : `${word(r.actual)}!`;
  const table = [
    ['user', 'probe', 'keys', 'read', 'write'],
    ...[...rows.values()].map((r) => [r.user, r.where, r.span, cell(r.read), cell(r.write)]),
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
  const lines = table.map((row) =>
    row
      .map((text, i) => {
        const padded = i < widths.length ? text.padEnd(widths[i] ?? 0) : text;
        return color && text.endsWith('!') ? `${RED}${padded}${RESET}` : padded;
      })
      .join('  ')
      .trimEnd(),
  );
  const wrong = mismatches(results);
  const summary =
    wrong.length === 0
      ? `Verified: ${results.length} probes as ${new Set(results.map((r) => r.user)).size} users, all as the policy says.`
      : `MISMATCH: ${wrong.length} of ${results.length} probes differ from the policy (marked "!"): ${wrong
          .slice(0, 5)
          .map(
            (r) =>
              `${r.user} ${r.operation} ${describeSpan(fromEtcdRange(r))} ${word(r.actual)}, policy says ${word(r.expected)}`,
          )
          .join('; ')}${wrong.length > 5 ? '; …' : ''}`;
  return [...lines, '', summary].join('\n');
}
