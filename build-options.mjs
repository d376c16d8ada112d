// The esbuild options of every bundle, shared by build.mjs and the benchmarks that rebuild a
// bundle in memory to see what it holds (bench/functions.bench.ts).

// Some dependencies (@actions/core, the AWS SDK) still call require(); ESM bundles need one.
const requireShim =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/** What the Lambda Node.js runtime provides to every function: the AWS SDK for JavaScript v3. */
export const LAMBDA_RUNTIME_PACKAGES = ['@aws-sdk/*', '@smithy/*'];

/**
 * Options common to every bundle: ESM for Node 20 (runs in tests here and on the Lambda Node.js 24
 * runtime), minified, with `external` left out of the bundle.
 * @param {string[]} external
 * @returns {import('esbuild').BuildOptions}
 */
export const bundleOptions = (external) => ({
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // ES module builds first, so that unused parts of the AWS SDK and others are tree-shaken.
  mainFields: ['module', 'main'],
  sourcemap: false,
  minify: true,
  legalComments: 'none',
  external,
  banner: { js: requireShim },
  logLevel: 'warning',
});

/** The Lambda bundles' options: etcd3 is never loaded, the AWS SDK is the runtime's. */
export const lambdaOptions = () => bundleOptions(['etcd3', ...LAMBDA_RUNTIME_PACKAGES]);
