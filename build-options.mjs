// The esbuild options of every bundle, shared by build.mjs and the benchmarks that rebuild a
// bundle in memory to see what it holds (bench/functions.bench.ts).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

// Some dependencies (@actions/core, the AWS SDK) still call require(); ESM bundles need one.
export const requireShim =
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

/**
 * etcd3 parses its .proto files when it is first loaded (`loadSync` of `${__dirname}/../proto/rpc.proto`,
 * at the top of connection-pool.js): about 50 ms of every command that talks to etcd, and a
 * `proto/` folder every bundle would have to carry. Bundled, it gets the same definitions parsed
 * once here, at build time, as a protobufjs JSON descriptor inlined in the bundle and loaded with
 * @grpc/proto-loader's `fromJSON` (the same options, the same services: proto-loader's `loadSync`
 * is a parse followed by exactly this). protobufjs is the one proto-loader itself uses.
 * @returns {Promise<string>} the descriptor, as JSON text
 */
async function etcd3RpcDescriptor() {
  const require = createRequire(createRequire(import.meta.url).resolve('@grpc/proto-loader'));
  const protobuf = require('protobufjs');
  const protoDir = dirname(createRequire(import.meta.url).resolve('etcd3/package.json'));
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(protoDir, 'proto', target);
  // The option of etcd3's loadSync that changes parsing; the others apply when the JSON is loaded.
  root.loadSync('rpc.proto', { keepCase: true });
  root.resolveAll();
  return JSON.stringify(root.toJSON());
}

/** The call etcd3 1.1.2 parses its .proto files with, as text. */
const ETCD3_LOAD_SYNC = ['(0, proto_loader_1.loadSync)(`$', '{__dirname}/../proto/rpc.proto`'].join('');

/** @type {import('esbuild').Plugin} */
const etcd3ProtoAtBuildTime = {
  name: 'etcd3-proto-at-build-time',
  setup(build) {
    build.onLoad({ filter: /etcd3[\\/]lib[\\/]connection-pool\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const descriptor = await etcd3RpcDescriptor();
      // JSON.parse of a string literal is quicker to load than the same object as code.
      const patched = source.replace(
        ETCD3_LOAD_SYNC,
        `(0, proto_loader_1.fromJSON)(JSON.parse(${JSON.stringify(descriptor)})`,
      );
      if (patched === source)
        throw new Error(
          `${args.path} no longer loads ../proto/rpc.proto with loadSync: update build-options.mjs`,
        );
      return { contents: patched, loader: 'js' };
    });
  },
};

/**
 * Options of a bundle that carries etcd3 inside it (for a place without node_modules): etcd's
 * service definitions are inside the bundle too (the plugin above), so it needs no file beside it.
 * @param {import('esbuild').BuildOptions} options
 * @returns {import('esbuild').BuildOptions}
 */
export const withEtcd3Inside = (options) => ({
  ...options,
  external: (options.external ?? []).filter((name) => name !== 'etcd3'),
  plugins: [...(options.plugins ?? []), etcd3ProtoAtBuildTime],
});

/** The Lambda bundles' options: the AWS SDK is the runtime's; etcd3 only where asked for. */
export const lambdaOptions = ({ etcd3 = false } = {}) => {
  const options = bundleOptions(['etcd3', ...LAMBDA_RUNTIME_PACKAGES]);
  return etcd3 ? withEtcd3Inside(options) : options;
};
