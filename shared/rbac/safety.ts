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
 * auth is on: it could never change auth again.
 */
export function assertPlanIsSafe(live: LiveState, changes: readonly Change[], identity?: string): void {
  const after = simulate(live, changes);
  if (!after.authEnabled) return;
  if (!after.users.get(ROOT)?.includes(ROOT)) {
    throw new WardenError(
      'forbidden',
      'refusing to enable auth: user "root" would not hold the root role, and etcd would have no administrator',
    );
  }
  if (identity !== undefined && !after.users.get(identity)?.includes(ROOT)) {
    const now = live.users.get(identity)?.includes(ROOT);
    throw new WardenError(
      'forbidden',
      now
        ? `refusing to apply: this plan takes the root role away from "${identity}", the identity applying it`
        : `refusing to apply: with auth enabled, "${identity}" (the identity applying this plan) would not hold the root role and could not manage etcd again; connect as root`,
    );
  }
}
