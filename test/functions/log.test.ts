// The logger cannot write key material, whatever it is handed.
import { describe, expect, it } from 'vitest';
import { createLogger, REDACTED } from '../../shared/log/index.js';

const KEY =
  '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----';
const EC_KEY = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB\n-----END EC PRIVATE KEY-----';

describe('createLogger', () => {
  it('writes one JSON object per line with an audit line per certificate', () => {
    // Prepare
    const lines: string[] = [];
    const log = createLogger(
      (line) => lines.push(line),
      () => new Date('2026-11-28T12:00:00Z'),
    );
    // Act
    log.certificateIssued({
      serial: '0a1b',
      name: 'app',
      caller: 'arn:aws:iam::123456789012:role/x',
      notAfter: new Date('2026-11-29T12:00:00Z'),
      profile: 'client',
    });
    // Assess
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toEqual({
      time: '2026-11-28T12:00:00.000Z',
      level: 'audit',
      event: 'certificate-issued',
      serial: '0a1b',
      name: 'app',
      caller: 'arn:aws:iam::123456789012:role/x',
      notAfter: '2026-11-29T12:00:00.000Z',
      profile: 'client',
    });
  });

  it.each([
    ['a key-named field', { privateKey: 'anything' }],
    ['a PEM key in any string', { message: `oops ${KEY} here` }],
    ['an SEC1 key nested in arrays', { items: [{ deep: [EC_KEY] }] }],
    ['a key in an error message', { error: new Error(`bad ${KEY}`) }],
    ['a truncated PEM block', { text: KEY.slice(0, 60) }],
    ['secret-like names', { caKeyPem: 'x', password: 'x', token: 'x', secretString: 'x', key_pem: 'x' }],
  ])('redacts %s', (_what, fields) => {
    // Prepare
    const lines: string[] = [];
    const log = createLogger((line) => lines.push(line));
    // Act
    log.error('event', fields);
    // Assess
    const line = lines.join('\n');
    expect(line).not.toMatch(/PRIVATE KEY|MIG|MHc|"x"|anything/);
    expect(line).toContain(REDACTED);
  });

  it('keeps ordinary fields', () => {
    // Prepare
    const lines: string[] = [];
    const log = createLogger((line) => lines.push(line));
    // Act
    log.info('planned', { changes: 3, user: 'app', keyspan: '/app/' });
    // Assess
    expect(JSON.parse(lines[0] as string)).toMatchObject({ changes: 3, user: 'app', keyspan: '/app/' });
  });

  it('adds withFields fields to every line written inside, through awaits, and keeps concurrent runs apart', async () => {
    // Prepare
    const lines: string[] = [];
    const log = createLogger((line) => lines.push(line));
    const invocation = (id: string, pause: number) =>
      log.withFields({ function_request_id: id }, async () => {
        log.info('start');
        await new Promise((resolve) => setTimeout(resolve, pause));
        log.withFields({ step: 'inner' }, () => log.info('inner', { function_request_id: 'a field wins' }));
        log.info('end');
      });
    // Act
    await Promise.all([invocation('one', 20), invocation('two', 5)]);
    log.info('outside');
    // Assess
    const seen = lines.map((line) => {
      const { event, function_request_id, step } = JSON.parse(line);
      return [event, function_request_id, step];
    });
    expect(seen).toEqual([
      ['start', 'one', undefined],
      ['start', 'two', undefined],
      ['inner', 'a field wins', 'inner'],
      ['end', 'two', undefined],
      ['inner', 'a field wins', 'inner'],
      ['end', 'one', undefined],
      ['outside', undefined, undefined],
    ]);
  });
});
