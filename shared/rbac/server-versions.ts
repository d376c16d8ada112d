// What a server's version means for auth, decided without I/O: the RBAC flaws each release line
// had until a patch release fixed them (from etcd's changelogs and advisories), what a version
// cannot do at all, and what blocks an upgrade. Versions come from Maintenance.Status.
import { WardenError } from '../errors.js';
import type { Change } from './change.js';

export interface ServerVersion {
  endpoint: string;
  /** As etcd reports it, e.g. "3.4.23". */
  version: string;
}

interface KnownIssue {
  id: string;
  what: string;
  /** The first fixed patch release of each affected minor line; a line not listed had it fixed before. */
  fixedIn: Record<string, number>;
  /** Lines its advisory names no fixed release for (end of life): every release of them is warned of. */
  noFixIn?: readonly string[];
}

export const KNOWN_RBAC_ISSUES: readonly KnownIssue[] = [
  {
    id: 'GHSA-rfx7-8w68-q57q',
    what: 'nested transactions bypass RBAC',
    fixedIn: { '3.4': 42, '3.5': 28, '3.6': 9 },
  },
  {
    id: 'GHSA-q8m4-xhhv-38mg',
    what: 'MemberList, Alarm, Lease and Compact calls skip authorization',
    fixedIn: { '3.4': 42, '3.5': 28, '3.6': 9 },
  },
  {
    id: 'GHSA-x35m-3gp4-4fh5',
    what: 'a Put with prevKv or a lease inside a transaction reads past RBAC',
    fixedIn: { '3.4': 44, '3.5': 30, '3.6': 11 },
  },
  {
    id: 'GHSA-xg4h-6gfc-h4m8',
    what: 'a watch from one granted key reads every key after it',
    fixedIn: { '3.5': 33, '3.6': 14, '3.7': 1 },
    // 3.4 reached its end of life before this advisory, which names no 3.4 release either way.
    noFixIn: ['3.4'],
  },
  {
    id: 'CVE-2023-32082',
    what: 'LeaseTimeToLive shows the keys of a lease to users without read access to them',
    fixedIn: { '3.4': 26, '3.5': 9 },
  },
  {
    id: 'CVE-2021-28235',
    what: 'a user’s password stays in memory and reaches the debug endpoint after authenticating',
    fixedIn: { '3.4': 25, '3.5': 8 },
  },
];

interface Parsed {
  major: number;
  minor: number;
  patch: number;
}

export function parseVersion(version: string): Parsed | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (!match) return undefined;
  return { major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3]) };
}

/** Warnings for people: known RBAC flaws naming the release that fixes them, and upgrade blockers. */
export function versionWarnings(versions: readonly ServerVersion[], v2HasContent: boolean): string[] {
  const warnings: string[] = [];
  const byVersion = new Map<string, string[]>();
  for (const { endpoint, version } of versions) {
    byVersion.set(version, [...(byVersion.get(version) ?? []), endpoint]);
  }
  for (const [version, endpoints] of byVersion) {
    const parsed = parseVersion(version);
    if (!parsed) {
      // The server's own text: a short prefix of it only.
      warnings.push(
        `etcd at ${endpoints.join(', ')} reports version ${JSON.stringify(version.slice(0, 32))}, which is not x.y.z`,
      );
      continue;
    }
    const line = `${parsed.major}.${parsed.minor}`;
    for (const issue of KNOWN_RBAC_ISSUES) {
      const where = `etcd ${version} at ${endpoints.join(', ')}`;
      if (issue.noFixIn?.includes(line)) {
        const fixed = Object.entries(issue.fixedIn).map(([minor, patch]) => `${minor}.${patch}`);
        warnings.push(
          `${where} may have ${issue.id} (${issue.what}): its advisory names no fixed ${line} release; fixed in ${fixed.join(', ')}`,
        );
        continue;
      }
      const fixed = issue.fixedIn[line];
      if (fixed === undefined || parsed.patch >= fixed) continue;
      warnings.push(`${where} has ${issue.id} (${issue.what}); fixed in ${line}.${fixed}`);
    }
  }
  if (v2HasContent) {
    warnings.push(
      'etcd’s v2 auth store has content, and etcd 3.6 refuses to start on such data: before upgrading, remove it with apis: [v3] and prune: true (v2 teardown)',
    );
  }
  return warnings;
}

/** Users without a password (certificate-only, as every etcd-warden user is) came with etcd 3.4. */
export function assertVersionsSupported(versions: readonly ServerVersion[]): void {
  for (const { endpoint, version } of versions) {
    const parsed = parseVersion(version);
    if (parsed && (parsed.major < 3 || (parsed.major === 3 && parsed.minor < 4))) {
      throw new WardenError(
        'invalid-input',
        `etcd ${version} at ${endpoint} cannot have users without a password, which etcd-warden's certificate-only users are: upgrade to 3.4 or later`,
      );
    }
  }
}

/**
 * What a server older than 3.4 cannot do is make a user without a password: a plan that adds one
 * is refused there; any other (a revocation during an upgrade, say) goes ahead.
 */
export function assertServerCanApply(versions: readonly ServerVersion[], changes: readonly Change[]): void {
  if (changes.some((c) => c.op === 'add-user')) assertVersionsSupported(versions);
}
