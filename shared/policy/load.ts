// From policy text to the resolved model: parse, check structure, check meaning, then expand
// presets and defaults. Never throws on bad input: every problem is a diagnostic with a position.
// A clean policy is answered from a fast parse; anything else is re-read with source positions.
import { presets } from '../presets/index.js';
import { byPosition, type Diagnostic, hasErrors, oneLine, quote } from './diagnostics.js';
import { parseDuration } from './duration.js';
import { quickParse } from './quick-parse.js';
import type { RawCertificate, RawPolicy } from './raw.js';
import { checkRules, DEFAULTS, spanOf } from './rules.js';
import { PolicySource } from './source.js';
import { checkStructure } from './structure.js';
import type { ClientCertificateSpec, KeyAlgorithm, Permission, Policy, Role } from './types.js';

export interface LoadResult {
  /** Present only when there is no error (warnings allowed). */
  policy?: Policy;
  diagnostics: Diagnostic[];
}

const SECTION_KIND: Record<string, string> = {
  roles: 'role',
  users: 'user',
  members: 'member',
  templates: 'template',
};

export function loadPolicy(text: string, file: string): LoadResult {
  const quick = quickParse(text);
  if (quick && checkStructure(quick.data).length === 0 && checkRules(quick.data as RawPolicy).length === 0) {
    return { policy: resolve(quick.data as RawPolicy), diagnostics: [] };
  }
  return loadWithPositions(text, file);
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
  const diagnostics: Diagnostic[] = [];

  for (const dup of source.duplicateKeys()) {
    const kind = dup.path.length === 1 ? SECTION_KIND[String(dup.path[0])] : undefined;
    diagnostics.push({
      file,
      ...dup.again,
      severity: 'error',
      rule: kind ? 'duplicate-name' : 'duplicate-key',
      message: kind
        ? `${kind} ${quote(dup.key)} is declared twice (first at line ${dup.first.line})`
        : `${quote(dup.key)} is written twice in this mapping (first at line ${dup.first.line}); YAML keeps only the last`,
    });
  }

  let data: unknown;
  try {
    data = source.toData();
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : 'cannot read the document';
    diagnostics.push({
      file,
      line: 1,
      column: 1,
      severity: 'error',
      rule: 'yaml-syntax',
      message: message ?? 'invalid YAML',
    });
    return { diagnostics };
  }

  const structural = checkStructure(data);
  for (const f of structural) {
    diagnostics.push({
      file,
      ...source.locate(f.path, f.part),
      severity: 'error',
      rule: f.rule,
      message: f.message,
    });
  }
  // Meaning-level rules assume the structure is right; a broken structure is reported alone.
  if (structural.length === 0) {
    for (const f of checkRules(data as RawPolicy)) {
      diagnostics.push({
        file,
        ...source.locate(f.path, f.part),
        severity: f.severity,
        rule: f.rule,
        message: f.message,
      });
    }
  }
  for (const d of diagnostics) d.message = oneLine(d.message);
  diagnostics.sort(byPosition);
  if (hasErrors(diagnostics)) return { diagnostics };
  return { policy: resolve(data as RawPolicy), diagnostics };
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
