// serve's SigV4 check, against requests signed by the SDK's own signer: a valid one names its
// principal; a changed body, another secret, an old signature or none at all names nobody.
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { type Credentials, signedCaller } from '../../cli/serve/signed-caller.js';
import { NodeSha256 } from '../../shared/aws/sha256.js';

const KEY = { accessKeyId: 'AKIDSIGNEDCALLER', secretAccessKey: 'signed-caller-secret-1' };
const PRINCIPAL = 'arn:aws:iam::123456789012:role/deployer';
const CREDENTIALS: Credentials = new Map([
  [KEY.accessKeyId, { secretAccessKey: KEY.secretAccessKey, principal: PRINCIPAL, invoke: ['apply-rbac'] }],
]);
const SIGNED_AT = new Date('2026-12-02T07:00:00Z');
const PATH = '/2015-03-31/functions/etcd-warden-apply-rbac/invocations';

/** A request as @aws-sdk/client-lambda sends it, signed at SIGNED_AT with `secret`. */
async function signed(body: string, secret = KEY.secretAccessKey) {
  const signer = new SignatureV4({
    credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: secret },
    region: 'us-east-1',
    service: 'lambda',
    sha256: NodeSha256,
  });
  const request = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 8790,
      path: PATH,
      query: { Qualifier: '$LATEST' },
      headers: { host: '127.0.0.1:8790', 'content-type': 'application/json' },
      body,
    },
    { signingDate: SIGNED_AT },
  );
  return {
    method: 'POST',
    url: `${PATH}?Qualifier=%24LATEST`,
    headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: Buffer.from(body),
  };
}

describe('signedCaller', () => {
  it('names the principal of a valid signature', async () => {
    // Act
    const caller = await signedCaller(await signed('{"command":"plan"}'), CREDENTIALS, SIGNED_AT);
    // Assess
    expect(caller).toMatchObject({ principal: PRINCIPAL });
  });

  it.each([
    [
      'a body changed after signing',
      async () => ({ ...(await signed('{"command":"plan"}')), body: Buffer.from('{"command":"apply"}') }),
      SIGNED_AT,
      'the body does not match its signed payload hash',
    ],
    [
      'another secret',
      () => signed('{}', 'not-the-right-secret'),
      SIGNED_AT,
      'the signature does not match the request',
    ],
    [
      'a signature over 5 minutes old',
      () => signed('{}'),
      new Date(SIGNED_AT.getTime() + 5 * 60_000 + 1_000),
      'the signature is more than 5 minutes away from the server clock',
    ],
    [
      'a signature from over 5 minutes ahead',
      () => signed('{}'),
      new Date(SIGNED_AT.getTime() - 5 * 60_000 - 1_000),
      'the signature is more than 5 minutes away from the server clock',
    ],
    [
      'no signature',
      async () => ({ ...(await signed('{}')), headers: { host: '127.0.0.1:8790' } }),
      SIGNED_AT,
      'the request is not signed with AWS Signature Version 4',
    ],
    [
      'a bearer token',
      async () => ({
        ...(await signed('{}')),
        headers: { host: '127.0.0.1:8790', authorization: 'Bearer x' },
      }),
      SIGNED_AT,
      'the request is not signed with AWS Signature Version 4',
    ],
  ] as const)('refuses %s', async (_label, make, now, reason) => {
    // Act
    const caller = await signedCaller(await make(), CREDENTIALS, now);
    // Assess
    expect(caller).toEqual({ refused: reason });
  });

  it('still accepts a signature 4 minutes old', async () => {
    // Act
    const caller = await signedCaller(
      await signed('{}'),
      CREDENTIALS,
      new Date(SIGNED_AT.getTime() + 4 * 60_000),
    );
    // Assess
    expect(caller).toMatchObject({ principal: PRINCIPAL });
  });
});
