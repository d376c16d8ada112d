// One build for every front: the CLI, the Lambda functions and the GitHub Action.
// Each bundle is ESM for Node 20 (runs in tests here and on the Lambda Node.js 24 runtime).
import { writeFile } from 'node:fs/promises';
import { build } from 'esbuild';

// Some dependencies (@actions/core, the AWS SDK) still call require(); ESM bundles need one.
const requireShim =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** @type {{entry: string, outfile: string, external?: string[]}[]} */
export const targets = [
  // etcd3 loads its .proto files at run time from its own folder: the CLI resolves it from node_modules.
  { entry: 'cli/bin.ts', outfile: 'dist/cli/etcd-warden.mjs', external: ['etcd3'] },
  // The Action runs from a checkout without node_modules: everything bundled but etcd3, which it never
  // loads (it reaches etcd over the core's HTTP/2 channel; a test runs it with no node_modules).
  { entry: 'action/src/main.ts', outfile: 'action/dist/index.mjs', external: ['etcd3'] },
  {
    entry: 'infra/app.ts',
    outfile: 'dist/infra/app.mjs',
    external: ['aws-cdk-lib', 'constructs', 'cdk-nag'],
  },
  // Lambda bundles, one folder each (handler `index.handler`), everything inlined. issue-cert never
  // reaches etcd. apply-rbac talks to etcd over the plain HTTP/2 channel, which never loads etcd3:
  // etcd3 (gRPC, run-time .proto files) stays out and is not shipped; a test runs the bundle from a
  // folder without node_modules to keep that true.
  {
    entry: 'functions/issue-cert/index.ts',
    outfile: 'dist/functions/issue-cert/index.mjs',
    external: ['etcd3'],
  },
  {
    entry: 'functions/apply-rbac/index.ts',
    outfile: 'dist/functions/apply-rbac/index.mjs',
    external: ['etcd3'],
  },
];

const only = process.argv.slice(2);
await Promise.all(
  targets
    .filter((t) => only.length === 0 || only.includes(t.outfile))
    .map((t) =>
      build({
        entryPoints: [t.entry],
        outfile: t.outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        sourcemap: false,
        minify: true,
        legalComments: 'none',
        external: t.external ?? [],
        banner: { js: requireShim },
        logLevel: 'warning',
      }),
    ),
);

// The policy's JSON Schema, for editors (yaml-language-server) and other tools: generated from
// the same object the validator uses, so the two cannot drift.
const schemaModule = await build({
  entryPoints: ['shared/policy/schema.ts'],
  bundle: true,
  format: 'esm',
  write: false,
});
const { policySchema } = await import(
  `data:text/javascript;base64,${Buffer.from(schemaModule.outputFiles[0].text).toString('base64')}`
);
await writeFile('schema/etcd-warden.schema.json', `${JSON.stringify(policySchema, null, 2)}\n`);
