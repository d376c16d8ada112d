// One certificate request from a node: a new ECDSA P-256 key made here (it never leaves the node),
// its CSR, a POST to issue-cert, and the answer checked before the caller writes anything.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { WardenError } from '../errors.js';
import { buildCsr } from '../pki/build-csr.js';
import type { PkiContext } from '../pki/context.js';
import { quote } from '../policy/diagnostics.js';
import { answerOf, type CheckedCertificate, checkAnswer } from './check-answer.js';

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface RequestDeps {
  /** POST /certificates, signed for the function URL; rejects only when no answer came. */
  post(body: string): Promise<HttpAnswer>;
  pki: PkiContext;
}

export interface ObtainedCertificate extends CheckedCertificate {
  privateKeyPem: string;
}

export async function requestCertificate(
  name: string,
  ttlSeconds: number | undefined,
  deps: RequestDeps,
): Promise<ObtainedCertificate> {
  const key = await deps.pki.generateKey('ecdsa-p256');
  const privateKey = createPrivateKey(key.privateKeyPem);
  const csr = buildCsr(name, privateKey, key.publicKey);
  const answer = await deps.post(
    JSON.stringify({ user: name, csr, ...(ttlSeconds === undefined ? {} : { ttl: `${ttlSeconds}s` }) }),
  );
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    body = undefined;
  }
  if (answer.status !== 201) {
    const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message;
    const said = typeof message === 'string' ? quote(message) : `a ${answer.status} answer`;
    // 4xx: this request will not succeed as it is; 5xx and throttling may pass later.
    const retryable = answer.status >= 500 || answer.status === 429;
    throw new WardenError(
      retryable ? 'unavailable' : 'forbidden',
      `issue-cert refused (${answer.status}): ${said}`,
      retryable,
    );
  }
  const checked = checkAnswer(answerOf(body), {
    name,
    publicKey: createPublicKey(privateKey),
    ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
    now: deps.pki.now(),
  });
  return { ...checked, privateKeyPem: key.privateKeyPem };
}
