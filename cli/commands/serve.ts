// `serve`: the two functions on 127.0.0.1, over the same handlers Lambda runs.
import { createApplyRbac } from '../../functions/apply-rbac/apply-rbac.js';
import { createIssueCert } from '../../functions/issue-cert/issue-cert.js';
import { etcdEndpointUrls } from '../../shared/etcd/endpoints.js';
import { createLogger } from '../../shared/log/index.js';
import { nodePkiContext } from '../../shared/pki/crypto-node.js';
import { readPolicyFile } from '../../shared/policy/read-file.js';
import { memoryPolicyStore } from '../../shared/policystore/index.js';
import { parseCommand } from '../args.js';
import { type Command, UsageError } from '../command.js';
import { durationMs } from '../connection.js';
import { policyOrRefusal } from '../policy-file.js';
import { createServeHandler, listenLocal } from '../serve/server.js';
import { readCredentials } from '../serve/signed-caller.js';
import { caStoreFrom } from './pki-args.js';
import { SPECS } from './specs.js';

export const serveCommand: Command = {
  async run(args, io) {
    const { values, positionals } = parseCommand(SPECS.serve, args);
    if (positionals.length > 0) throw new UsageError('serve takes no positional arguments');
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError('--port must be 0..65535');
    const applied =
      values.policy === undefined
        ? undefined
        : await readPolicyFile(values.policy).then((content) => ({
            policy: policyOrRefusal(content, values.policy as string),
            text: content.text as string,
          }));
    // Without endpoints, serve still issues; apply-rbac then says it has none.
    const given = values.endpoints ?? io.env.ETCDCTL_ENDPOINTS;
    const endpoints =
      given === undefined || given.trim() === ''
        ? []
        : etcdEndpointUrls(given, values.endpoints === undefined ? 'ETCDCTL_ENDPOINTS' : '--endpoints');
    const caStore = caStoreFrom(values['ca-store'], io);
    // The applied policy stays in memory: apply-rbac stores into it and issue-cert reads it.
    const policyStore = memoryPolicyStore(applied, values.policy ?? 'memory://policy');
    const pki = nodePkiContext();
    const log = createLogger((line) => io.err(`${line}\n`));
    const handler = createServeHandler(
      {
        'issue-cert': createIssueCert({ caStore, policyStore, pki, log }),
        'apply-rbac': createApplyRbac({
          caStore,
          policyStore,
          endpoints,
          pki,
          log,
          callTimeoutMs: durationMs(values['command-timeout'], 'command-timeout', 5_000),
        }),
      },
      await readCredentials(values.credentials),
      log,
    );
    const { server, port: bound } = await listenLocal(handler, port);
    io.out(`listening on http://127.0.0.1:${bound}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => server.close(() => resolve());
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
