// etcd3 reads its gRPC definitions at load time from `${__dirname}/../proto/rpc.proto`. The Action
// runs from a checkout without node_modules, and in an ESM bundle there is no __dirname, so the
// bundle carries the three .proto files as text and lays them out in a temporary copy of etcd3's
// folder before etcd3 is first loaded (the core loads it lazily, on the first connection).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import authProto from 'etcd3/proto/auth.proto' with { type: 'text' };
import kvProto from 'etcd3/proto/kv.proto' with { type: 'text' };
import rpcProto from 'etcd3/proto/rpc.proto' with { type: 'text' };

const PROTOS: Record<string, string> = {
  'rpc.proto': rpcProto,
  'kv.proto': kvProto,
  'auth.proto': authProto,
};

/** Writes the protos under RUNNER_TEMP (else the OS temp dir) and points etcd3's __dirname there. */
export function provideEtcd3Protos(tempRoot = process.env.RUNNER_TEMP || tmpdir()): void {
  const root = mkdtempSync(join(tempRoot, 'etcd-warden-etcd3-'));
  const lib = join(root, 'lib');
  const proto = join(root, 'proto');
  mkdirSync(lib);
  mkdirSync(proto);
  for (const [name, text] of Object.entries(PROTOS)) writeFileSync(join(proto, name), text);
  // A free identifier in the bundle's module scope resolves to the global object.
  (globalThis as { __dirname?: string }).__dirname = lib;
}
