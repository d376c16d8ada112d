// The test helpers that judge the bundles must be able to fail: a leak check that cannot see a
// stack, or a staging folder that still resolves the repository's packages, would pass anything.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO } from '../support/cli.js';
import { findLeaks, importNatively, logLines, removeStagedBundles, stageBundle } from './bundles.js';

afterAll(removeStagedBundles);

describe('findLeaks', () => {
  it('finds a stack in a JSON log line, where a pattern over the raw line cannot', () => {
    // Prepare
    const stack = new Error('boom').stack as string;
    const line = JSON.stringify({ level: 'error', event: 'failed', error: { message: 'boom', stack } });
    // Act
    const leaks = findLeaks(logLines(line));
    // Assess
    expect(line).not.toMatch(/\n\s+at /);
    expect(leaks).toEqual(['$[0].error.stack: stack frame']);
  });

  it('finds a lone frame and key material at any depth', () => {
    // Prepare
    const value = {
      error: { details: [{ where: 'at handler (file:///var/task/index.mjs:1:2345)' }] },
      body: 'cert\n-----BEGIN PRIVATE KEY-----\nMIGH\n-----END PRIVATE KEY-----',
    };
    // Act
    const leaks = findLeaks(value);
    // Assess
    expect(leaks).toEqual(['$.error.details[0].where: stack frame', '$.body: private key']);
  });

  it('passes ordinary answers', () => {
    // Prepare
    const value = {
      error: { code: 'not-found', message: 'no route "/admin": POST /certificates, GET /ca, GET /crl' },
      certificate: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
      notAfter: '2026-11-29T12:00:00.000Z',
      changes: 3,
      stored: null,
    };
    // Act / Assess
    expect(findLeaks(value)).toEqual([]);
  });
});

describe('stageBundle', () => {
  it('puts the bundle beside the SDK alone, so no other package resolves from it', () => {
    // Act
    const { handler, dir } = stageBundle<unknown>('issue-cert');
    const resolveFromBundle = createRequire(join(dir, 'index.mjs'));
    // Assess
    expect(typeof handler).toBe('function');
    expect(readdirSync(join(dir, 'node_modules')).sort()).toEqual(['@aws-sdk', '@smithy']);
    expect(resolveFromBundle.resolve('@aws-sdk/client-secrets-manager')).toContain('client-secrets-manager');
    expect(() => resolveFromBundle.resolve('etcd3')).toThrow(/Cannot find module 'etcd3'/);
  });

  it('loads with Node resolution, so a stray external import fails to load', () => {
    // Prepare: a module in a staged folder that imports what Lambda does not provide.
    const { dir } = stageBundle<unknown>('apply-rbac');
    const stray = join(dir, 'stray.mjs');
    writeFileSync(stray, "import 'etcd3';\nexport const handler = () => 'loaded';\n");
    // Act / Assess
    expect(() => importNatively(stray)).toThrow(/etcd3/);
  });
});

describe('what the bundles hold', () => {
  // Names each YAML parser's code carries (the yaml package's error class, js-yaml's) and the
  // policy loader's rule id: apply-rbac, which parses policies, shows that the markers are real.
  const YAML_MARKERS = /YAMLParseError|YAMLException|yaml-syntax/g;
  const markersIn = (name: string): string[] => [
    ...new Set(readFileSync(join(REPO, 'dist/functions', name, 'index.mjs'), 'utf8').match(YAML_MARKERS)),
  ];

  it('issue-cert holds no YAML parser: it reads the resolved policy as JSON', () => {
    // Act / Assess
    expect(markersIn('apply-rbac').sort()).toEqual(['YAMLException', 'YAMLParseError', 'yaml-syntax']);
    expect(markersIn('issue-cert')).toEqual([]);
  });
});
