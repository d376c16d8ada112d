// etcd3's default fault handling opens a circuit breaker for five seconds after failures, so
// one refused call would make the next calls fail at once. We pass our own: no breaker per host,
// and for every unary call (a) a deadline of our own, on a timer that keeps Node running, so a
// call always settles even if gRPC loses track of it (a member killed mid-call), and (b) retries
// of the errors errors.ts calls transient, each on the next host, within a bounded time: the call
// rides a member stopping or a leader election, and fails clearly once the budget is spent.
import { isTransient } from './errors.js';

/** The one method of a cockatiel policy that etcd3 calls. */
interface ExecutePolicy {
  execute<T>(fn: (context: { signal: AbortSignal; attempt: number }) => PromiseLike<T> | T): Promise<T>;
}

// etcd3 never aborts through this signal; one shared instance spares an allocation per call.
const NEVER_ABORTED = new AbortController().signal;

const passThrough: ExecutePolicy = {
  execute: async (fn) => fn({ signal: NEVER_ABORTED, attempt: 0 }),
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** gRPC's own deadline answers first; this one only catches a call gRPC never settles. */
const BACKSTOP_MS = 1_000;

/**
 * The longest one attempt waits. A healthy etcd answers an auth call in milliseconds (hundreds
 * with a thousand changes in flight); a call whose proposal went to a leader that died is never
 * answered, and would otherwise hold the apply for the whole call timeout before being retried.
 */
const MAX_ATTEMPT_MS = 2_000;

/** The gRPC deadline of one attempt of a call with this timeout. */
export const attemptDeadlineMs = (callTimeoutMs: number): number => Math.min(callTimeoutMs, MAX_ATTEMPT_MS);

/** `call`, or a rejection once `ms` have passed without an answer. */
async function withDeadline<T>(call: PromiseLike<T> | T, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`deadline exceeded: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([call, expired]);
  } finally {
    clearTimeout(timer);
  }
}

interface RetryBudget {
  /** Deadline of one attempt (gRPC's own deadline for it comes first: attemptDeadlineMs). */
  attemptMs: number;
  /** No new attempt starts after this long. */
  budgetMs: number;
}

/** Retries transient errors, each time on the next host, until the budget is spent. */
function retryTransient({ attemptMs, budgetMs }: RetryBudget): ExecutePolicy {
  return {
    async execute(fn) {
      const deadline = Date.now() + budgetMs;
      for (let attempt = 0; ; attempt++) {
        try {
          return await withDeadline(fn({ signal: NEVER_ABORTED, attempt }), attemptMs);
        } catch (error) {
          if (Date.now() >= deadline || !isTransient(error)) throw error;
          // Backoff with jitter, so many calls failing together do not come back in step.
          const backoff = Math.min(25 * 2 ** attempt, 500) * (0.5 + Math.random() / 2);
          await sleep(Math.min(backoff, Math.max(0, deadline - Date.now())));
        }
      }
    },
  };
}

export function faultHandling(callTimeoutMs: number) {
  // Each attempt of the global policy picks the next host of etcd3's shuffled order.
  const global = retryTransient({
    attemptMs: attemptDeadlineMs(callTimeoutMs) + BACKSTOP_MS,
    budgetMs: callTimeoutMs * 2,
  });
  // etcd3 types these as cockatiel policies but only ever calls execute().
  return { host: () => passThrough as never, global: global as never };
}
