// All findings in one pass: after a structural error, the meaning-level rules still run on every
// part of the policy whose structure is sound. A broken part is left out whole (a top-level field,
// a role, user, member or template; a single permission of a role), and a rule whose verdict
// depends on a part left out is not reported, so that no finding is a consequence of another.
import type { RawPolicy } from './raw.js';
import type { Finding } from './rules.js';
import type { Path } from './source.js';
import { ROOT } from './types.js';

const SECTIONS = ['roles', 'users', 'members', 'templates'] as const;
type Section = (typeof SECTIONS)[number];

export interface SoundParts {
  /** The policy without its broken parts; permissions left out are holes, so indexes still match. */
  data: RawPolicy;
  /** Top-level fields (sections included) whose value is broken as a whole. */
  brokenFields: Set<string>;
  /** Entries of each section with a structural error inside. */
  brokenEntries: Record<Section, Set<string>>;
}

const isSection = (segment: unknown): segment is Section => SECTIONS.includes(segment as Section);
const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The sound parts of `data`, or undefined when the document itself is no mapping. */
export function soundParts(data: unknown, structuralPaths: readonly Path[]): SoundParts | undefined {
  if (!isMapping(data)) return undefined;
  const brokenFields = new Set<string>();
  const brokenEntries = Object.fromEntries(
    SECTIONS.map((s) => [s, new Set<string>()]),
  ) as SoundParts['brokenEntries'];
  const brokenPermissions = new Map<string, Set<number>>();
  for (const [field, name, index] of structuralPaths) {
    // A missing required field of the document itself leaves every present part sound.
    if (field === undefined) continue;
    if (!isSection(field) || name === undefined) brokenFields.add(String(field));
    else if (field === 'roles' && typeof index === 'number') {
      const broken = brokenPermissions.get(String(name)) ?? new Set<number>();
      broken.add(index);
      brokenPermissions.set(String(name), broken);
    } else brokenEntries[field].add(String(name));
  }
  const sound: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(data)) {
    if (brokenFields.has(field)) continue;
    if (!isSection(field) || !isMapping(value)) {
      sound[field] = value;
      continue;
    }
    // Pairs, not assignments: fromEntries keeps a name such as "__proto__" an own key, so the
    // invalid-name rule still sees it.
    const entries: [string, unknown][] = [];
    for (const [name, entry] of Object.entries(value)) {
      if (brokenEntries[field].has(name)) continue;
      const holes = field === 'roles' ? brokenPermissions.get(name) : undefined;
      if (holes && Array.isArray(entry)) {
        const permissions = [...entry];
        for (const index of holes) delete permissions[index];
        entries.push([name, permissions]);
      } else entries.push([name, entry]);
    }
    sound[field] = Object.fromEntries(entries);
  }
  return { data: sound as unknown as RawPolicy, brokenFields, brokenEntries };
}

const valueAt = (data: unknown, path: Path): unknown =>
  path.reduce<unknown>(
    (at, segment) => (at as Record<string | number, unknown> | undefined)?.[segment],
    data,
  );

/**
 * Whether a rule's finding on the sound parts stands on its own, or depends on a part that was
 * left out: a role named by a user may be one of the broken roles (or come from broken presets),
 * root may be a broken user, a TTL limit comes from the CA settings.
 */
export function standsAlone(finding: Finding, parts: SoundParts, original: unknown): boolean {
  const { brokenFields, brokenEntries } = parts;
  switch (finding.rule) {
    case 'undefined-role': {
      if (brokenFields.has('roles') || brokenFields.has('presets')) return false;
      return !brokenEntries.roles.has(String(valueAt(original, finding.path)));
    }
    case 'auth-root':
      return !brokenFields.has('auth') && !brokenFields.has('users') && !brokenEntries.users.has(ROOT);
    case 'ttl-limit':
      return !brokenFields.has('ca');
    default:
      return true;
  }
}
