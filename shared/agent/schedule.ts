// When a node renews: once less than a third of the certificate's lifetime is left (or less than
// `renewBefore`), a little early at random so that a fleet issued together does not renew together;
// after a failure, capped exponential backoff, never past the moment the certificate expires.

const JITTER_SHARE = 0.1;
export const BACKOFF_START_MS = 2_000;
export const BACKOFF_CAP_MS = 5 * 60_000;

export function renewalDelayMs(
  validity: { notBefore: Date; notAfter: Date },
  now: Date,
  random: () => number,
  renewBeforeSeconds?: number,
): number {
  const lifetime = validity.notAfter.getTime() - validity.notBefore.getTime();
  const ahead = renewBeforeSeconds !== undefined ? renewBeforeSeconds * 1000 : lifetime / 3;
  const jitter = random() * Math.min(ahead, lifetime) * JITTER_SHARE;
  return Math.max(0, validity.notAfter.getTime() - ahead - jitter - now.getTime());
}

/** The wait before retry number `attempt` (0 for the first), half of it random. */
export function backoffMs(attempt: number, random: () => number): number {
  const full = Math.min(BACKOFF_CAP_MS, BACKOFF_START_MS * 2 ** Math.min(attempt, 30));
  return full / 2 + random() * (full / 2);
}
