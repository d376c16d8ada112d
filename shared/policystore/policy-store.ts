// Where the last applied policy lives, so that issue-cert can authorize without reaching etcd.
// A store holds the policy resolved (validated, presets expanded) beside its YAML text: readers
// decide from the resolved form and never parse YAML; the text stays for people and `import`.
import { WardenError } from '../errors.js';
import type { Policy } from '../policy/types.js';

export interface StoredPolicy {
  policy: Policy;
  /** The YAML text as applied. */
  text: string;
  /** The store's version of it (a Secrets Manager VersionId), when it has one. */
  version?: string;
}

export interface PolicyStore {
  /** Names the store in messages. */
  readonly url: string;
  /** The current policy (cached); WardenError 'not-found' before the first apply, 'unavailable' when unreachable. */
  load(): Promise<StoredPolicy>;
  /**
   * Records a validated policy and its text as the current one and returns its version: a new
   * version only when the current one holds something else (a drift check that re-applies the
   * same policy adds none).
   */
  save(applied: { policy: Policy; text: string }): Promise<string | undefined>;
}

/** In memory, for `etcd-warden serve` and tests: starts with `initial` when given. */
export function memoryPolicyStore(
  initial?: { policy: Policy; text: string },
  url = 'memory://policy',
): PolicyStore {
  let version = 0;
  let current: StoredPolicy | undefined = initial && { ...initial, version: String(++version) };
  const same = (a: { policy: Policy; text: string }, b: { policy: Policy; text: string }) =>
    a.text === b.text && JSON.stringify(a.policy) === JSON.stringify(b.policy);
  return {
    url,
    load: async () => {
      if (!current) throw new WardenError('not-found', `no policy applied yet (${url})`);
      return current;
    },
    save: async (applied) => {
      if (!current || !same(current, applied)) current = { ...applied, version: String(++version) };
      return current.version;
    },
  };
}
