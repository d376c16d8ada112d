// The structural validator is compiled ahead of time (build.mjs). These tests hold it to the
// schema: the schema itself is valid draft-07 under the compile options, and the committed
// generated code is what a fresh build writes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { policySchema, VALIDATOR_OPTIONS } from '../../shared/policy/schema.js';
import { validate } from '../../shared/policy/structure-validator.generated.js';
import { REPO } from '../support/cli.js';

const GENERATED = 'shared/policy/structure-validator.generated.js';

describe('the precompiled policy validator', () => {
  it('comes from a schema that Ajv accepts against the draft-07 meta-schema in strict mode', () => {
    // Prepare
    const ajv = new Ajv({ ...VALIDATOR_OPTIONS, validateSchema: true });
    // Act
    const metaValid = ajv.validateSchema(policySchema);
    // Assess
    expect(ajv.errors ?? []).toEqual([]);
    expect(metaValid).toBe(true);
    expect(() => ajv.compile(policySchema)).not.toThrow();
  });

  it('judges documents as Ajv compiling the schema at run time would', () => {
    // Prepare
    const runtime = new Ajv(VALIDATOR_OPTIONS).compile(policySchema);
    const documents: unknown[] = [
      { version: 1 },
      { version: 2 },
      { version: 1, roles: { a: [{ prefix: '/a/', access: 'read' }] } },
      { version: 1, roles: { a: [{ prefix: '/a/', access: 'delete' }] }, extra: true },
      { version: 1, users: { u: { roles: 'not-a-list', certificate: { ttl: 'soon' } } } },
      { version: 1, ca: { commonName: '' } },
    ];
    for (const document of documents) {
      // Act
      const precompiled = validate(document);
      const compiled = runtime(document);
      // Assess
      expect(precompiled).toBe(compiled);
      expect(validate.errors?.map((e) => [e.instancePath, e.keyword, e.params])).toEqual(
        runtime.errors?.map((e) => [e.instancePath, e.keyword, e.params]),
      );
    }
    expect(validate({ version: 2 })).toBe(false);
  });

  it('is committed as a fresh build writes it', () => {
    // Prepare: `npm test` has just run build.mjs, which rewrites the file when the schema changed.
    const fresh = readFileSync(join(REPO, GENERATED), 'utf8');
    // Act
    const committed = spawnSync('git', ['show', `HEAD:${GENERATED}`], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 15_000,
    });
    // Assess. On failure: run `node build.mjs` and commit the file with the schema change.
    expect(committed.status).toBe(0);
    expect(committed.stdout === fresh).toBe(true);
  });
});
