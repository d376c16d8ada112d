// etcd3 costs about 100 ms to load from a bundle (gRPC-js, protobufjs; etcd's service definitions
// are parsed at build time, build-options.mjs), more through node_modules.
// Every CLI command shares one bundle, so etcd3 is imported on first use only: `validate`,
// `ca` and `cert` never pay for it, and the commands that talk to etcd start loading it while
// they read the policy (preloadEtcd3). Modules here import etcd3 for types only and reach its
// classes through this loader.
export type Etcd3Module = typeof import('etcd3');

let loading: Promise<Etcd3Module> | undefined;
let loaded: Etcd3Module | undefined;

export function loadEtcd3(): Promise<Etcd3Module> {
  loading ??= import('etcd3').then((imported) => {
    // etcd3 is CommonJS. Node's loader and esbuild's single-file bundles give its exports by name;
    // esbuild's split bundles (the CLI) give them only as the default export.
    const module = 'Etcd3' in imported ? imported : (imported as { default: Etcd3Module }).default;
    loaded = module;
    return module;
  });
  return loading;
}

/** Starts loading etcd3 in the background; a failure shows when the command first connects. */
export function preloadEtcd3(): void {
  loadEtcd3().catch(() => undefined);
}

/** The etcd3 module once a client exists; an error can only come from etcd3 after that. */
export function loadedEtcd3(): Etcd3Module | undefined {
  return loaded;
}
