// The esbuild options of every bundle, shared by build.mjs and the benchmarks that rebuild a
// bundle in memory to see what it holds (bench/functions.bench.ts).
import { readFile } from 'node:fs/promises';

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

/** Where a bundle that holds etcd3 keeps etcd3's .proto files: this folder, beside the bundle. */
export const ETCD3_PROTO_DIR = 'proto';

/**
 * etcd3 parses its .proto files at run time from `${__dirname}/../proto/`, which in a bundle
 * names nothing; bundled, it reads them from ETCD3_PROTO_DIR beside the bundle (build.mjs copies
 * them there). The path is made from the bundle's own URL in the banner.
 * @type {import('esbuild').Plugin}
 */
const etcd3ProtoBesideBundle = {
  name: 'etcd3-proto-beside-bundle',
  setup(build) {
    build.onLoad({ filter: /etcd3[\\/]lib[\\/]connection-pool\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      // The template literal etcd3 builds the path with, as text: `${__dirname}/../proto/rpc.proto`.
      const patched = source.replace(['`$', '{__dirname}/../proto/rpc.proto`'].join(''), '__etcd3RpcProto');
      if (patched === source)
        throw new Error(`${args.path} no longer loads ../proto/rpc.proto: update build-options.mjs`);
      return { contents: patched, loader: 'js' };
    });
  },
};

/**
 * Options of a bundle that carries etcd3 inside it (for a place without node_modules): the
 * plugin above, and the proto path it refers to.
 * @param {import('esbuild').BuildOptions} options
 * @returns {import('esbuild').BuildOptions}
 */
export const withEtcd3Inside = (options) => ({
  ...options,
  external: (options.external ?? []).filter((name) => name !== 'etcd3'),
  plugins: [...(options.plugins ?? []), etcd3ProtoBesideBundle],
  banner: {
    js: `${options.banner?.js ?? ''} import { fileURLToPath as __fileURLToPath } from 'node:url'; const __etcd3RpcProto = __fileURLToPath(new URL('./${ETCD3_PROTO_DIR}/rpc.proto', import.meta.url));`,
  },
});

/** The Lambda bundles' options: the AWS SDK is the runtime's; etcd3 only where asked for. */
export const lambdaOptions = ({ etcd3 = false } = {}) => {
  const options = bundleOptions(['etcd3', ...LAMBDA_RUNTIME_PACKAGES]);
  return etcd3 ? withEtcd3Inside(options) : options;
};
