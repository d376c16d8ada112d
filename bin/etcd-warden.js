#!/usr/bin/env node
// Runs the built CLI bundle; `npm ci` builds it (prepare), `npm run build` rebuilds it.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli/etcd-warden.mjs', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('etcd-warden: not built yet; run `npm run build` first\n');
  process.exit(1);
}
await import(bundle.href);
