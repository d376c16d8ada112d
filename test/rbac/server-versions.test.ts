// Version checks: the pure table with injected versions, and the real server's version read
// through Maintenance.Status.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServerVersions } from '../../shared/etcd/server-versions.js';
import { applyPolicy } from '../../shared/rbac/apply.js';
import type { RbacBackend } from '../../shared/rbac/backend.js';
import type { LiveState } from '../../shared/rbac/live-state.js';
import { planPolicy } from '../../shared/rbac/plan-policy.js';
import { assertVersionsSupported, versionWarnings } from '../../shared/rbac/server-versions.js';
import { simulate } from '../../shared/rbac/simulate.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { liveOf, policyOf } from './policy-fixtures.js';

const at = (version: string) => [{ endpoint: 'https://127.0.0.1:2379', version }];

describe('versionWarnings (injected versions)', () => {
  it('names each known flaw with the release of its line that fixes it', () => {
    // Act
    const old34 = versionWarnings(at('3.4.23'), false);
    const mid35 = versionWarnings(at('3.5.10'), false);
    const v36 = versionWarnings(at('3.6.8'), false);
    const v37 = versionWarnings(at('3.7.0'), false);

    // Assess
    expect(old34).toEqual([
      expect.stringMatching(/GHSA-rfx7-8w68-q57q .*fixed in 3\.4\.42$/),
      expect.stringMatching(/GHSA-q8m4-xhhv-38mg .*fixed in 3\.4\.42$/),
      expect.stringMatching(/GHSA-x35m-3gp4-4fh5 .*fixed in 3\.4\.44$/),
      expect.stringMatching(
        /^etcd 3\.4\.23 at .* may have GHSA-xg4h-6gfc-h4m8 .*: its advisory names no fixed 3\.4 release; fixed in 3\.5\.33, 3\.6\.14, 3\.7\.1$/,
      ),
      expect.stringMatching(/CVE-2023-32082 .*fixed in 3\.4\.26$/),
      expect.stringMatching(/CVE-2021-28235 .*fixed in 3\.4\.25$/),
    ]);
    expect(mid35).toEqual([
      expect.stringMatching(/GHSA-rfx7-8w68-q57q .*fixed in 3\.5\.28$/),
      expect.stringMatching(/GHSA-q8m4-xhhv-38mg .*fixed in 3\.5\.28$/),
      expect.stringMatching(/GHSA-x35m-3gp4-4fh5 .*fixed in 3\.5\.30$/),
      expect.stringMatching(/GHSA-xg4h-6gfc-h4m8 .*fixed in 3\.5\.33$/),
    ]);
    expect(v36).toEqual([
      expect.stringMatching(/GHSA-rfx7-8w68-q57q .*fixed in 3\.6\.9$/),
      expect.stringMatching(/GHSA-q8m4-xhhv-38mg .*fixed in 3\.6\.9$/),
      expect.stringMatching(/GHSA-x35m-3gp4-4fh5 .*fixed in 3\.6\.11$/),
      expect.stringMatching(/GHSA-xg4h-6gfc-h4m8 .*fixed in 3\.6\.14$/),
    ]);
    expect(v37).toEqual([
      expect.stringMatching(/^etcd 3\.7\.0 at .* GHSA-xg4h-6gfc-h4m8 .*fixed in 3\.7\.1$/),
    ]);
  });

  it('says nothing for fixed releases, and warns of v2 content blocking 3.6', () => {
    // Act + Assess
    expect(versionWarnings(at('3.4.44'), false)).toEqual([
      expect.stringMatching(/may have GHSA-xg4h-6gfc-h4m8/),
    ]);
    expect(versionWarnings(at('3.5.33'), false)).toEqual([]);
    expect(versionWarnings(at('3.6.14'), false)).toEqual([]);
    expect(versionWarnings(at('3.7.1'), false)).toEqual([]);
    expect(versionWarnings(at('3.6.14'), true)).toEqual([
      expect.stringMatching(/3\.6 refuses .*prune: true/),
    ]);
  });

  it('refuses servers older than 3.4, which have no password-less users', () => {
    // Act + Assess
    expect(() => assertVersionsSupported(at('3.3.27'))).toThrow(/3\.3\.27 .*upgrade to 3\.4/);
    expect(() => assertVersionsSupported(at('2.3.8'))).toThrow(/upgrade to 3\.4/);
    expect(() => assertVersionsSupported(at('3.4.0'))).not.toThrow();
  });
});

/** etcd as the planner models it, in memory: each change applied by simulate. */
function memoryBackend(start: LiveState): RbacBackend & { state: () => LiveState } {
  let state = start;
  return {
    state: () => state,
    readState: async () => state,
    applyChange: async (change) => {
      state = simulate(state, [change]);
    },
    lock: async () => ({ lost: () => undefined, release: async () => {} }),
  };
}

describe('a server older than 3.4 (injected versions)', () => {
  const old = at('3.3.27');
  const live = liveOf({ authEnabled: true, users: { root: ['root'], gone: [] } });

  it('refuses a plan or an apply that adds a user, and changes nothing', async () => {
    // Prepare
    const adding = policyOf({ users: { root: ['root'], gone: [], app: [] } });
    const backend = memoryBackend(live);

    // Act
    const plan = planPolicy(adding, backend, 'root', old);
    const apply = applyPolicy(adding, backend, { identity: 'root', versions: old });

    // Assess
    await expect(plan).rejects.toThrow(/etcd 3\.3\.27 at .* cannot have users without a password/);
    await expect(apply).rejects.toThrow(/upgrade to 3\.4 or later/);
    expect(backend.state()).toBe(live);
  });

  it('lets a plan that only removes go ahead (a revocation during an upgrade)', async () => {
    // Prepare
    const removing = policyOf({ prune: true, users: { root: ['root'] } });
    const backend = memoryBackend(live);

    // Act
    const report = await applyPolicy(removing, backend, { identity: 'root', versions: old });

    // Assess
    expect(report.applied).toEqual([{ op: 'delete-user', user: 'gone' }]);
    expect(report.remaining).toEqual([]);
  });
});

describe('readServerVersions (real etcd)', () => {
  let cluster: EtcdCluster;

  beforeAll(async () => {
    cluster = await startEtcdCluster();
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('reads the version the installed etcd reports, once per endpoint', async () => {
    // Prepare
    const { readFileSync } = await import('node:fs');
    const connection = {
      endpoints: cluster.endpoints,
      caPem: cluster.caPem,
      certPem: readFileSync(cluster.root.cert, 'utf8'),
      keyPem: readFileSync(cluster.root.key, 'utf8'),
    };
    const installed = /etcd Version: (\S+)/.exec(
      (await import('node:child_process')).spawnSync('etcd', ['--version'], { encoding: 'utf8' }).stdout,
    )?.[1];

    // Act
    const versions = await readServerVersions(connection);

    // Assess
    expect(versions).toEqual([{ endpoint: cluster.endpoints[0], version: installed }]);
  });
});
