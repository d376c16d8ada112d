// Durations under one second: "0.4s" and "0.5s" alike are refused, with the same words on every
// front (policy validation, CLI flags, the HTTP body), instead of one being "not a duration" and
// the other a one-second certificate.
import { describe, expect, it } from 'vitest';
import { parseCertificateRequest } from '../../functions/issue-cert/certificate-request.js';
import { DURATION_RULE, parseDuration } from '../../shared/policy/duration.js';
import { runCli } from '../support/cli.js';
import { scratch } from '../support/openssl.js';

const SUB_SECOND = ['0.4s', '0.5s', '0.99s', '0s', '0h'];

describe('a duration under one second', () => {
  it.each(SUB_SECOND)('%s is no duration to the core', (text) => {
    // Assess
    expect(parseDuration(text)).toBeUndefined();
  });

  it('1s and 1.5s still are (fractions round)', () => {
    // Assess
    expect([parseDuration('1s'), parseDuration('1.5s'), parseDuration('0.5m')]).toEqual([1, 2, 30]);
  });

  it.each(SUB_SECOND)('%s is refused in the same words by the policy, the CLI and HTTP', (text) => {
    // Prepare
    const work = scratch();
    work.file(
      'p.yaml',
      `version: 1\nusers:\n  root: {roles: [root]}\n  app:\n    roles: []\n    certificate: {ttl: ${text}}\n`,
    );
    // Act
    const validate = runCli(['validate', 'p.yaml'], { cwd: work.dir });
    const cert = runCli(['cert', 'issue', 'app', '--policy', 'p.yaml', '--ttl', text], { cwd: work.dir });
    const http = (() => {
      try {
        parseCertificateRequest(Buffer.from(JSON.stringify({ user: 'app', generateKey: true, ttl: text })));
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    work.remove();
    // Assess
    expect(validate.code).toBe(1);
    expect(validate.stdout + validate.stderr).toContain(`"${text}" is not ${DURATION_RULE}`);
    expect(cert.code).not.toBe(0);
    expect(cert.stderr.split('\n')[0]).toBe(`etcd-warden: --ttl "${text}" is not ${DURATION_RULE}`);
    expect(http).toBe(`"ttl" must be ${DURATION_RULE}`);
  });
});
