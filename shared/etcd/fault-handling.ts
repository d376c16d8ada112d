// etcd3's default fault handling retries three times and opens a circuit breaker for five
// seconds after failures, so one refused call would make the next calls fail at once. We pass
// our own: no breaker per host, and a bounded retry across hosts for errors that mean "this
// member cannot answer now" (a stopped member, a leader election), so a cluster that has
// lost one of three members still answers.
import { loadedEtcd3 } from './etcd3-runtime.js';

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

/** Retries recoverable errors, each time on the next host, until `attempts` or `budgetMs` run out. */
export function retryAcrossHosts(attempts: number, budgetMs: number): ExecutePolicy {
  return {
    async execute(fn) {
      const deadline = Date.now() + budgetMs;
      for (let attempt = 0; ; attempt++) {
        try {
          return await fn({ signal: NEVER_ABORTED, attempt });
        } catch (error) {
          const last = attempt + 1 >= attempts || Date.now() >= deadline;
          if (last || !(error instanceof Error) || !loadedEtcd3()?.isRecoverableError(error)) throw error;
          await sleep(Math.min(25 * 2 ** attempt, 400));
        }
      }
    },
  };
}

export function faultHandling(hosts: number, budgetMs: number) {
  // Each attempt of the global policy picks the next host; two rounds over all of them.
  const global = retryAcrossHosts(Math.max(3, hosts * 2), budgetMs);
  // etcd3 types these as cockatiel policies but only ever calls execute().
  return { host: () => passThrough as never, global: global as never };
}
