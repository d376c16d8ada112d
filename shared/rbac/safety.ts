// Refusals that protect the cluster from its own administrator: a plan is refused before any
// change is sent when its end state would leave nobody able to manage auth.
import { WardenError } from '../errors.js';
import { ROOT } from '../policy/types.js';
import type { Change } from './change.js';
import type { LiveState } from './live-state.js';
import { simulate } from './simulate.js';

/**
 * Throws WardenError('forbidden') when the plan would enable auth without root holding the root
 * role, or leave `identity` (the etcd user the applier connects as) without the root role while
 * auth is on: it could never change auth again. v3 and v2 are judged apart, each by its own store.
 */
export function assertPlanIsSafe(live: LiveState, changes: readonly Change[], identity?: string): void {
  const after = simulate(live, changes);
  if (after.authEnabled) assertStoreKeepsAdmin('', live.users, after.users, identity);
  if (after.v2?.authEnabled) assertStoreKeepsAdmin('v2 ', live.v2?.users, after.v2.users, identity);
}

/** One store's check: `api` is '' for v3, 'v2 ' for v2, in the messages. */
function assertStoreKeepsAdmin(
  api: string,
  before: ReadonlyMap<string, readonly string[]> | undefined,
  after: ReadonlyMap<string, readonly string[]>,
  identity: string | undefined,
): void {
  if (!after.get(ROOT)?.includes(ROOT)) {
    throw new WardenError(
      'forbidden',
      `refusing to enable ${api}auth: ${api}user "root" would not hold the root role, and etcd would have no ${api}administrator`,
    );
  }
  if (identity !== undefined && !after.get(identity)?.includes(ROOT)) {
    const now = before?.get(identity)?.includes(ROOT);
    throw new WardenError(
      'forbidden',
      now
        ? `refusing to apply: this plan takes the ${api}root role away from "${identity}", the identity applying it`
        : `refusing to apply: with ${api}auth enabled, "${identity}" (the identity applying this plan) would not hold the ${api}root role and could not manage etcd again; connect as root`,
    );
  }
}
