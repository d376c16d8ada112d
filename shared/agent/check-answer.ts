// What a node accepts from issue-cert before it replaces anything on disk: a certificate for its
// own key and its own name, signed by the CA that came with it, living no longer than it asked.
// A certificate that fails any of these is refused, and the files in place stay.
import { type KeyObject, X509Certificate } from 'node:crypto';
import { WardenError } from '../errors.js';
import { quote } from '../policy/diagnostics.js';

export interface IssueAnswer {
  certificate: string;
  ca: string;
}

export interface CheckedCertificate {
  certificatePem: string;
  caPem: string;
  notBefore: Date;
  notAfter: Date;
}

// Clocks differ a little between a node and the function that signs for it.
const CLOCK_SKEW_MS = 5 * 60 * 1000;

const refused = (why: string) => new WardenError('invalid-input', `issue-cert's answer is refused: ${why}`);

/** Shape first: an answer that is not an object with PEM strings is refused as such. */
export function answerOf(body: unknown): IssueAnswer {
  const answer = body as Partial<IssueAnswer> | null;
  if (typeof answer?.certificate !== 'string' || typeof answer.ca !== 'string')
    throw refused('it holds no "certificate" and "ca" PEM strings');
  return { certificate: answer.certificate, ca: answer.ca };
}

export function checkAnswer(
  answer: IssueAnswer,
  expected: { name: string; publicKey: KeyObject; ttlSeconds?: number; now: Date },
): CheckedCertificate {
  let certificate: X509Certificate;
  let ca: X509Certificate;
  try {
    certificate = new X509Certificate(answer.certificate);
    ca = new X509Certificate(answer.ca);
  } catch {
    throw refused('the certificate or the CA is not a readable PEM certificate');
  }
  if (!certificate.publicKey.equals(expected.publicKey)) throw refused('the certificate is for another key');
  const cn = /^CN=(.*)$/m.exec(certificate.subject)?.[1];
  if (cn !== expected.name)
    throw refused(`the certificate names ${quote(cn ?? '')}, not ${quote(expected.name)}`);
  if (!ca.ca || !certificate.checkIssued(ca) || !certificate.verify(ca.publicKey))
    throw refused('the certificate is not signed by the CA it came with');
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  const now = expected.now.getTime();
  if (notAfter.getTime() <= now || notBefore.getTime() > now + CLOCK_SKEW_MS)
    throw refused(
      `the certificate is not valid now (${notBefore.toISOString()} to ${notAfter.toISOString()})`,
    );
  if (
    expected.ttlSeconds !== undefined &&
    notAfter.getTime() > now + expected.ttlSeconds * 1000 + CLOCK_SKEW_MS
  )
    throw refused(`the certificate lives past the asked ttl (until ${notAfter.toISOString()})`);
  return { certificatePem: answer.certificate, caPem: answer.ca, notBefore, notAfter };
}
