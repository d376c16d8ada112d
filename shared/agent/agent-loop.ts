// The node agent's loop: renew when due, swap the files only after the answer is checked, run the
// restart hook once per swap, back off while issue-cert is unreachable or refuses. Every effect is
// passed in, so the loop is tested with a clock and a random source of the test's own.
import type { ObtainedCertificate } from './request-certificate.js';
import { backoffMs, renewalDelayMs } from './schedule.js';

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export interface AgentDeps {
  /** The validity of the certificate in place, or undefined when there is none (or it is unreadable). */
  current(): Promise<Validity | undefined>;
  obtain(): Promise<ObtainedCertificate>;
  install(certificate: ObtainedCertificate): Promise<void>;
  /** Runs after each swap (a restart or reconnect hook); its failure is logged, never fatal. */
  afterSwap?(): Promise<void>;
  /** Resolves true after `ms`, or false as soon as the agent is told to stop. */
  sleep(ms: number): Promise<boolean>;
  now(): Date;
  random(): number;
  log(event: string, fields?: Record<string, unknown>): void;
  renewBeforeSeconds?: number;
  /** Renew only if due, then return (a systemd timer or cron job). */
  once?: boolean;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message.split('\n')[0] : String(error));

/** Exit code: 0 when stopped or done, 1 when `once` could not renew a certificate that was due. */
export async function runAgent(deps: AgentDeps): Promise<number> {
  let failures = 0;
  for (;;) {
    const current = await deps.current();
    const wait = current ? renewalDelayMs(current, deps.now(), deps.random, deps.renewBeforeSeconds) : 0;
    if (wait > 0) {
      const at = new Date(deps.now().getTime() + wait).toISOString();
      if (deps.once) {
        deps.log('not-due', { renewAt: at, notAfter: current?.notAfter.toISOString() });
        return 0;
      }
      deps.log('waiting', { renewAt: at });
      if (!(await deps.sleep(wait))) return 0;
      continue;
    }
    try {
      const obtained = await deps.obtain();
      await deps.install(obtained);
      failures = 0;
      deps.log('renewed', { notAfter: obtained.notAfter.toISOString() });
      if (deps.afterSwap)
        await deps.afterSwap().catch((error) => deps.log('exec-failed', { error: messageOf(error) }));
      if (deps.once) return 0;
    } catch (error) {
      const delay = backoffMs(failures++, deps.random);
      deps.log('renewal-failed', { error: messageOf(error), retryInSeconds: Math.round(delay / 1000) });
      if (deps.once) return 1;
      if (!(await deps.sleep(delay))) return 0;
    }
  }
}
