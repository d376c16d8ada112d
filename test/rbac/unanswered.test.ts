// An endpoint that accepts connections and never answers (a member frozen, a black-holing proxy):
// every call has a deadline, so the CLI's plan and apply and the Action's plan end within their
// retry budget with exit 1 and one line saying etcd did not answer (or, once gRPC has given up on
// the connection, could not be reached), and the process ends with its result although gRPC
// still holds the connection it never finished.
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionHome } from '../action/run-action.js';
import { type EtcdCluster, startEtcdCluster } from '../support/etcd-cluster.js';
import { wardenAsync } from './cli-env.js';

describe('an endpoint that never answers', () => {
  let cluster: EtcdCluster;
  let silent: Server;
  const held: Socket[] = [];
  let endpoint: string;

  beforeAll(async () => {
    // The cluster only provides the certificate files; no call reaches it.
    cluster = await startEtcdCluster();
    silent = createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (typeof address !== 'object' || !address) throw new Error('no port');
    endpoint = `https://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    await cluster?.stop();
  });

  it.each([
    ['plan', /^etcd-warden: cannot connect to etcd: https:\/\/127\.0\.0\.1:\d+: no answer within 3000 ms\n$/],
    [
      'apply',
      /^etcd-warden: cannot connect to etcd: https:\/\/127\.0\.0\.1:\d+: no answer within 3000 ms\n$/,
    ],
  ])('%s exits 1 within its budget with one line', async (command, message) => {
    // Prepare
    const args = [
      command,
      'examples/calico-kubernetes-simple.yaml',
      '--endpoints',
      endpoint,
      '--command-timeout',
      '1s',
    ];

    // Act
    const started = Date.now();
    const run = await wardenAsync(cluster, command === 'apply' ? [...args, '--yes'] : args);
    const tookMs = Date.now() - started;

    // Assess
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe('');
    expect(tookMs).toBeLessThan(15_000);
  });

  it('the Action plan exits 1 within the default budget with one ::error:: line', async () => {
    // Prepare
    const home = actionHome();
    home.write('etcd-warden.yaml', 'version: 1\nauth: enabled\nusers:\n  root:\n    roles: [root]\n');
    home.write('ca.pem', readFileSync(cluster.caFile, 'utf8'));
    home.write('root.pem', readFileSync(cluster.root.cert, 'utf8'));
    home.write('root-key.pem', readFileSync(cluster.root.key, 'utf8'));

    // Act
    const started = Date.now();
    const run = await home
      .run({ command: 'plan', endpoints: endpoint, ca: 'ca.pem', cert: 'root.pem', key: 'root-key.pem' })
      .finally(() => home.remove());
    const tookMs = Date.now() - started;

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n').filter((l) => l.startsWith('::error::'))).toEqual([
      expect.stringMatching(
        /^::error::cannot connect to etcd: https:\/\/127\.0\.0\.1:\d+: no answer within 3000 ms/,
      ),
    ]);
    expect(tookMs).toBeLessThan(30_000);
  }, 40_000);
});
