// etcd3 costs about 250 ms to load (gRPC, and protobufjs parsing etcd's .proto files at run time).
// Every CLI command shares one bundle, so etcd3 is imported on first use only: `validate`,
// `ca` and `cert` never pay for it. Modules here import etcd3 for types only and reach its
// classes through this loader.
export type Etcd3Module = typeof import('etcd3');

let loading: Promise<Etcd3Module> | undefined;
let loaded: Etcd3Module | undefined;

export function loadEtcd3(): Promise<Etcd3Module> {
  loading ??= import('etcd3').then((module) => {
    loaded = module;
    return module;
  });
  return loading;
}

/** The etcd3 module once a client exists; an error can only come from etcd3 after that. */
export function loadedEtcd3(): Etcd3Module | undefined {
  return loaded;
}
