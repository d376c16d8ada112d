// Validity periods. notBefore is backdated for clock skew between us and the verifier; an asked
// lifetime above the limit, or one that would outlive the CA, is refused rather than shortened,
// so that nobody deploys a certificate believing it lasts longer than it does.
import * as pkijs from 'pkijs';
import { WardenError } from '../errors.js';
import { formatDuration } from '../policy/duration.js';

export const CLOCK_SKEW_SECONDS = 5 * 60;

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export interface ValidityRequest {
  now: Date;
  ttlSeconds: number;
  /** The largest TTL allowed, and where that limit comes from (for the message). */
  limitSeconds: number;
  limitSource: string;
  /** The issuer's own validity, when there is an issuer. */
  issuer?: Validity;
}

/** RFC 5280 §4.1.2.5: UTCTime for 1950 through 2049, GeneralizedTime otherwise. */
export function x509Time(date: Date): pkijs.Time {
  const year = date.getUTCFullYear();
  const type = year >= 1950 && year < 2050 ? pkijs.TimeType.UTCTime : pkijs.TimeType.GeneralizedTime;
  return new pkijs.Time({ type, value: date });
}

const wholeSeconds = (ms: number): Date => new Date(Math.floor(ms / 1000) * 1000);

export function validityFor(request: ValidityRequest): Validity {
  const { now, ttlSeconds, limitSeconds, issuer } = request;
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new WardenError(
      'invalid-input',
      `the TTL must be a positive number of seconds (got ${ttlSeconds})`,
    );
  }
  if (ttlSeconds > limitSeconds) {
    throw new WardenError(
      'invalid-input',
      `a TTL of ${formatDuration(ttlSeconds)} is above ${request.limitSource} (${formatDuration(limitSeconds)})`,
    );
  }
  const notAfter = wholeSeconds(now.getTime() + ttlSeconds * 1000);
  let notBefore = wholeSeconds(now.getTime() - CLOCK_SKEW_SECONDS * 1000);
  if (issuer) {
    if (now.getTime() < issuer.notBefore.getTime() || now.getTime() >= issuer.notAfter.getTime()) {
      throw new WardenError(
        'invalid-input',
        `the CA is not valid now (valid ${issuer.notBefore.toISOString()} to ${issuer.notAfter.toISOString()})`,
      );
    }
    if (notAfter.getTime() > issuer.notAfter.getTime()) {
      throw new WardenError(
        'invalid-input',
        `a TTL of ${formatDuration(ttlSeconds)} would end after the CA expires (${issuer.notAfter.toISOString()}); ask for at most ${formatDuration(Math.floor((issuer.notAfter.getTime() - now.getTime()) / 1000))}`,
      );
    }
    if (notBefore < issuer.notBefore) notBefore = issuer.notBefore;
  }
  return { notBefore, notAfter };
}
