// Where the last applied policy lives, so that issue-cert can authorize without reaching etcd.
import { WardenError } from '../errors.js';
import { formatDiagnostic, hasErrors } from '../policy/diagnostics.js';
import { loadPolicy } from '../policy/load.js';
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
   * Records `text` as the current policy and returns its version: a new version only when the
   * current one holds other text (a drift check that re-applies the same policy adds none).
   */
  save(text: string): Promise<string | undefined>;
}

/** The policy a stored text holds; a stored policy that no longer validates is an internal fault. */
export function parseStoredPolicy(text: string, url: string, version?: string): StoredPolicy {
  const { policy, diagnostics } = loadPolicy(text, url);
  if (!policy || hasErrors(diagnostics)) {
    const first = diagnostics.find((d) => d.severity === 'error');
    throw new WardenError(
      'internal',
      `the policy stored in ${url} does not validate${first ? `: ${formatDiagnostic(first)}` : ''}`,
    );
  }
  return { policy, text, ...(version === undefined ? {} : { version }) };
}

/** In memory, for `etcd-warden serve` and tests: starts with `text` when given. */
export function memoryPolicyStore(text?: string, url = 'memory://policy'): PolicyStore {
  let current: StoredPolicy | undefined = text === undefined ? undefined : parseStoredPolicy(text, url, '1');
  let version = current ? 1 : 0;
  return {
    url,
    load: async () => {
      if (!current) throw new WardenError('not-found', `no policy applied yet (${url})`);
      return current;
    },
    save: async (next) => {
      if (current?.text !== next) current = parseStoredPolicy(next, url, String(++version));
      return current.version;
    },
  };
}
