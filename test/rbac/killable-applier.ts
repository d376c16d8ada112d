// The applier in a process of its own that SIGKILLs itself once exactly KILL_AFTER changes are
// acknowledged (0: right after taking the lock): a crash at a chosen point of the plan. The CLI
// sends each phase's changes at once, so a kill from outside lands only between phases; this
// runs the same applier and etcd backend over the same etcd3 client with one change in flight.
// Built into a bundle by the fault tests; connection from ETCDCTL_* as for the CLI, as root.
// Usage: node killable-applier.mjs POLICY_FILE KILL_AFTER
import { readFileSync } from 'node:fs';
import { etcdBackend } from '../../shared/etcd/backend.js';
import { connectEtcd } from '../../shared/etcd/connect.js';
import { loadPolicy } from '../../shared/policy/load.js';
import { applyPolicy } from '../../shared/rbac/apply.js';
import type { RbacBackend } from '../../shared/rbac/backend.js';

const [file = '', killAfterText = ''] = process.argv.slice(2);
const killAfter = Number(killAfterText);
const { policy, diagnostics } = loadPolicy(readFileSync(file, 'utf8'), file);
if (!policy || !Number.isInteger(killAfter)) {
  process.stderr.write(`usage: killable-applier POLICY_FILE KILL_AFTER (${JSON.stringify(diagnostics)})\n`);
  process.exit(2);
}

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const client = await connectEtcd({
  endpoints: env('ETCDCTL_ENDPOINTS').split(','),
  caPem: readFileSync(env('ETCDCTL_CACERT'), 'utf8'),
  certPem: readFileSync(env('ETCDCTL_CERT'), 'utf8'),
  keyPem: readFileSync(env('ETCDCTL_KEY'), 'utf8'),
});
// The shortest lease etcd grants: the apply after the crash waits for it to expire.
const backend = etcdBackend(client, 'root', { ttlSeconds: 1 });

let acknowledged = 0;
const dieAtTheKillPoint = (): void => {
  if (acknowledged === killAfter) process.kill(process.pid, 'SIGKILL');
};
const dying: RbacBackend = {
  readState: () => backend.readState(),
  async lock() {
    const held = await backend.lock();
    dieAtTheKillPoint();
    return held;
  },
  async applyChange(change) {
    await backend.applyChange(change);
    acknowledged++;
    dieAtTheKillPoint();
  },
};

const report = await applyPolicy(policy, dying, { identity: 'root', concurrency: 1 });
client.close();
// Reaching here means the kill point was past the end of the plan, or a change failed.
process.stderr.write(
  `not killed: ${acknowledged} of ${report.planned.length} changes acknowledged${report.failure ? `; ${report.failure.error.message}` : ''}\n`,
);
process.exit(1);
