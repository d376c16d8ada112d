// From policy text to the resolved model: parse, check structure, check meaning, then expand
// presets and defaults. Never throws on bad input: every problem is a diagnostic with a position.
// A clean policy is answered from a fast parse, and the findings in one it read are placed from the
// parts of the text that hold them; anything else is re-read whole with source positions.
import { presets } from '../presets/index.js';
import { BlockLocator, type Bound } from './block-locator.js';
import { byPosition, type Diagnostic, hasErrors, oneLine, quote, type Severity } from './diagnostics.js';
import { parseDuration } from './duration.js';
import { quickParse } from './quick-parse.js';
import type { RawCertificate, RawPolicy } from './raw.js';
import { checkRules, DEFAULTS, spanOf } from './rules.js';
import { soundParts, standsAlone } from './sound-parts.js';
import { type Path, PolicySource, type Position } from './source.js';
import { checkStructure } from './structure.js';
import type { ClientCertificateSpec, KeyAlgorithm, Permission, Policy, Role } from './types.js';

export interface LoadResult {
  /** Present only when there is no error (warnings allowed). */
  policy?: Policy;
  diagnostics: Diagnostic[];
}

/**
 * Findings shown, in file order; the rest are counted in one last `too-many-findings` line. A
 * large generated policy with a systematic mistake can have hundreds of thousands: nobody reads
 * them, and placing each would cost more than the validation itself.
 */
export const MAX_DIAGNOSTICS = 1000;

const SECTION_KIND: Record<string, string> = {
  roles: 'role',
  users: 'user',
  members: 'member',
  templates: 'template',
};

/** A finding before it has a line and column: a path in the document, or already a position. */
interface Pending {
  rule: string;
  severity: Severity;
  message: string;
  path: Path;
  part: 'key' | 'value';
  at?: Position;
}

/** How findings get their positions: a cheap bound first, the exact place when it matters. */
interface Placer<Located extends Position | undefined> {
  bound(path: Path, part: 'key' | 'value'): Bound;
  locate(path: Path, part: 'key' | 'value'): Located;
}

export function loadPolicy(text: string, file: string): LoadResult {
  const quick = quickParse(text);
  if (!quick) return loadWithPositions(text, file);
  const findings = findingsOf(quick.data);
  if (findings.length === 0) return { policy: resolve(quick.data as RawPolicy), diagnostics: [] };
  // The fast parse already read this text (one document, no anchors, no duplicate keys): only
  // positions are missing, and the parts of the text that hold the findings give them.
  const diagnostics = place(findings, new BlockLocator(text, quick.data), file);
  if (!diagnostics) return loadWithPositions(text, file);
  return hasErrors(diagnostics) ? { diagnostics } : { policy: resolve(quick.data as RawPolicy), diagnostics };
}

/** The exact path: every problem found, each placed at its line and column. */
export function loadWithPositions(text: string, file: string): LoadResult {
  const parsed = PolicySource.parse(text);
  if (!(parsed instanceof PolicySource)) {
    return {
      diagnostics: [
        {
          file,
          line: parsed.line,
          column: parsed.column,
          severity: 'error',
          rule: parsed.rule,
          message: parsed.message,
        },
      ],
    };
  }
  const source = parsed;
  const features: Pending[] = source.featureProblems().map(({ line, column, rule, message }) => ({
    severity: 'error',
    rule,
    message,
    path: [],
    part: 'value',
    at: { line, column },
  }));
  const findings: Pending[] = source.duplicateKeys().map((dup) => {
    const kind = dup.path.length === 1 ? SECTION_KIND[String(dup.path[0])] : undefined;
    return {
      severity: 'error',
      rule: kind ? 'duplicate-name' : 'duplicate-key',
      message: kind
        ? `${kind} ${quote(dup.key)} is declared twice (first at line ${dup.first.line})`
        : `${quote(dup.key)} is written twice in this mapping (first at line ${dup.first.line}); YAML keeps only the last`,
      path: dup.path,
      part: 'key',
      at: dup.again,
    };
  });
  findings.push(...features);

  let data: unknown;
  try {
    data = source.toData();
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : 'cannot read the document';
    findings.push({
      severity: 'error',
      rule: 'yaml-syntax',
      message: message ?? 'invalid YAML',
      path: [],
      part: 'value',
      at: { line: 1, column: 1 },
    });
    return { diagnostics: place(findings, exactly(source), file) };
  }

  findings.push(...findingsOf(data));
  const diagnostics = place(findings, exactly(source), file);
  return hasErrors(diagnostics) ? { diagnostics } : { policy: resolve(data as RawPolicy), diagnostics };
}

// Meaning-level rules assume the structure is right: after structural errors they run on the
// sound parts only, so that one run lists everything a person can fix (sound-parts.ts).
function findingsOf(data: unknown): Pending[] {
  const structural = checkStructure(data);
  if (structural.length === 0) return checkRules(data as RawPolicy);
  const parts = soundParts(
    data,
    structural.map((f) => f.path),
  );
  if (!parts) return structural;
  return [...structural, ...checkRules(parts.data).filter((f) => standsAlone(f, parts, data))];
}

const exactly = (source: PolicySource): Placer<Position> => ({
  bound: (path, part) => ({ position: source.locate(path, part), exact: true }),
  locate: (path, part) => source.locate(path, part),
});

const comparePositions = (a: Position, b: Position): number => a.line - b.line || a.column - b.column;

/**
 * The findings as diagnostics in file order, the first MAX_DIAGNOSTICS of them and a line that
 * counts the rest. Only those shown are placed exactly: findings are taken in the order of their
 * cheap bounds, and once MAX_DIAGNOSTICS + 1 are placed, any whose bound lies past the last of
 * them cannot be among the first. Undefined when the placer cannot place one.
 */
function place(findings: Pending[], placer: Placer<Position>, file: string): Diagnostic[];
function place(
  findings: Pending[],
  placer: Placer<Position | undefined>,
  file: string,
): Diagnostic[] | undefined;
function place(
  findings: Pending[],
  placer: Placer<Position | undefined>,
  file: string,
): Diagnostic[] | undefined {
  const bounded = findings.map((finding, order) => {
    const { position, exact } = finding.at
      ? { position: finding.at, exact: true }
      : placer.bound(finding.path, finding.part);
    return { finding, order, position, exact };
  });
  bounded.sort((a, b) => comparePositions(a.position, b.position) || a.order - b.order);
  // Ties keep the order the checks found them in, whichever path placed them.
  const inFileOrder = (a: Placed, b: Placed): number =>
    byPosition(a.diagnostic, b.diagnostic) || a.order - b.order;
  const first: Placed[] = [];
  for (const { finding, order, position, exact } of bounded) {
    const last = first[MAX_DIAGNOSTICS];
    if (last && comparePositions(position, last.diagnostic) > 0) break;
    const at = exact ? position : placer.locate(finding.path, finding.part);
    if (!at) return undefined;
    const placed = {
      order,
      diagnostic: { file, ...at, severity: finding.severity, rule: finding.rule, message: finding.message },
    };
    first.splice(upperBound(first, placed, inFileOrder), 0, placed);
    first.length = Math.min(first.length, MAX_DIAGNOSTICS + 1);
  }
  const shown = first
    .slice(0, MAX_DIAGNOSTICS)
    .map(({ diagnostic }) => ({ ...diagnostic, message: oneLine(diagnostic.message) }));
  const firstHidden = first[MAX_DIAGNOSTICS]?.diagnostic;
  if (!firstHidden) return shown;
  const hidden = findings.length - shown.length;
  const hiddenErrors =
    findings.filter((f) => f.severity === 'error').length -
    shown.filter((d) => d.severity === 'error').length;
  shown.push({
    file,
    line: firstHidden.line,
    column: firstHidden.column,
    severity: hiddenErrors > 0 ? 'error' : 'warning',
    rule: 'too-many-findings',
    message: `… and ${counted(hidden, 'more finding')} from here on, not shown (${counted(hiddenErrors, 'error')}, ${counted(hidden - hiddenErrors, 'warning')}): only the first ${MAX_DIAGNOSTICS} are listed`,
  });
  return shown;
}

const counted = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

interface Placed {
  order: number;
  diagnostic: Diagnostic;
}

/** Where `item` goes in `sorted` so that equal items keep their order. */
function upperBound<T>(sorted: T[], item: T, compare: (a: T, b: T) => number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (compare(sorted[middle] as T, item) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

const seconds = (text: string | undefined, fallback: string): number =>
  parseDuration(text ?? fallback) ?? (parseDuration(fallback) as number);

const certificate = (raw: RawCertificate | undefined): ClientCertificateSpec | undefined =>
  raw && { ttlSeconds: seconds(raw.ttl, DEFAULTS.userTtl), requesters: raw.requesters ?? [] };

/** Normalizes a serial to lowercase hex without separators or leading zeros. */
export const normalizeSerial = (text: string): string =>
  text
    .replace(/^0x/i, '')
    .replaceAll(':', '')
    .toLowerCase()
    .replace(/^0+(?=.)/, '');

// Turns a validated raw policy into the model. Preset roles are included when some user or
// template holds them, so that unused catalog entries never appear in etcd.
function resolve(raw: RawPolicy): Policy {
  const users = Object.fromEntries(
    Object.entries(raw.users ?? {}).map(([name, u]) => [
      name,
      { name, roles: [...u.roles], certificate: certificate(u.certificate) },
    ]),
  );
  const templates = Object.fromEntries(
    Object.entries(raw.templates ?? {}).map(([name, t]) => [
      name,
      { name, user: t.user, roles: [...t.roles], certificate: certificate(t.certificate) },
    ]),
  );
  const members = Object.fromEntries(
    Object.entries(raw.members ?? {}).map(([name, m]) => [
      name,
      { name, hosts: [...m.hosts], ttlSeconds: seconds(m.ttl, DEFAULTS.memberTtl) },
    ]),
  );

  const roles: Record<string, Role> = {};
  const held = new Set([...Object.values(users), ...Object.values(templates)].flatMap((h) => h.roles));
  for (const preset of raw.presets ?? []) {
    for (const [name, permissions] of Object.entries(presets[preset])) {
      if (held.has(name)) roles[name] = { name, permissions: permissions.map((p) => ({ ...p })) };
    }
  }
  for (const [name, permissions] of Object.entries(raw.roles ?? {})) {
    roles[name] = {
      name,
      permissions: permissions.map(
        (p): Permission => ({ span: spanOf(p) as Permission['span'], access: p.access }),
      ),
    };
  }

  return {
    version: 1,
    presets: [...(raw.presets ?? [])],
    auth: raw.auth ?? 'enabled',
    apis: [...(raw.apis ?? ['v3'])],
    prune: raw.prune ?? false,
    ca: {
      commonName: raw.ca?.commonName ?? 'etcd-warden CA',
      key: (raw.ca?.key ?? 'ecdsa-p256') as KeyAlgorithm,
      validitySeconds: seconds(raw.ca?.validity, DEFAULTS.caValidity),
      maxTtlSeconds: seconds(raw.ca?.maxTtl, DEFAULTS.maxTtl),
      revoked: (raw.ca?.revoked ?? []).map(normalizeSerial),
    },
    roles,
    users,
    members,
    templates,
  };
}
