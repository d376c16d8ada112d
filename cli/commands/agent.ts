// `agent --url URL --name NAME --out DIR`: keeps a node's certificate fresh. The loop and its
// decisions are the core's (shared/agent); here are its effects: files, the clock, signals, --exec.
import { spawn } from 'node:child_process';
import { runAgent } from '../../shared/agent/agent-loop.js';
import { writeFileAtomically } from '../../shared/files/write-atomically.js';
import { parseCommand } from '../args.js';
import { type Command, UsageError } from '../command.js';
import {
  certificateObtainer,
  installCertificate,
  installedValidity,
  resolveName,
} from '../node-certificate.js';
import { durationFrom, pathFrom } from './pki-args.js';
import { SPECS } from './specs.js';

const EXEC_TIMEOUT_MS = 120_000;
const MAX_SLEEP_MS = 60 * 60 * 1000;

/** Runs the hook through the shell, as systemd's ExecStartPost would; resolves with its exit code. */
const runHook = (command: string): Promise<number | null> =>
  new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: 'inherit' });
    const timer = setTimeout(() => child.kill('SIGKILL'), EXEC_TIMEOUT_MS);
    child.once('error', () => resolve(null));
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });

/** node_exporter's textfile collector format: one gauge, the expiry as Unix seconds. */
const metricsText = (name: string, notAfter: Date) =>
  [
    '# HELP etcd_warden_certificate_expiry_timestamp_seconds When the certificate the agent keeps expires.',
    '# TYPE etcd_warden_certificate_expiry_timestamp_seconds gauge',
    `etcd_warden_certificate_expiry_timestamp_seconds{name="${name}"} ${Math.floor(notAfter.getTime() / 1000)}`,
    '',
  ].join('\n');

export const agentCommand: Command = {
  async run(args, io) {
    const { values, positionals } = parseCommand(SPECS.agent, args);
    if (positionals.length > 0) throw new UsageError('agent takes no operands; use --name');
    if (!values.url || !values.name) throw new UsageError('--url and --name are required');
    const renewBeforeSeconds = durationFrom(values['renew-before'], '--renew-before');
    const ttlSeconds = durationFrom(values.ttl, '--ttl');
    const name = await resolveName(values.name);
    const dir = pathFrom(io, values.out);
    const log = (event: string, fields: Record<string, unknown> = {}) =>
      io.err(`${JSON.stringify({ time: new Date().toISOString(), event, name, ...fields })}\n`);

    // SIGTERM (systemd, kubelet) and Ctrl-C end a wait at once; a request in flight finishes first.
    let stop: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const onSignal = () => stop();
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    try {
      return await runAgent({
        current: () => installedValidity(dir, name),
        obtain: certificateObtainer(name, {
          url: values.url,
          env: io.env,
          ...(values.region === undefined ? {} : { region: values.region }),
          ...(ttlSeconds === undefined ? {} : { ttlSeconds }),
        }),
        install: async (obtained) => {
          await installCertificate(dir, name, obtained);
          if (values['metrics-file'])
            await writeFileAtomically(
              pathFrom(io, values['metrics-file']),
              metricsText(name, obtained.notAfter),
            );
        },
        ...(values.exec === undefined
          ? {}
          : {
              afterSwap: async () => {
                const code = await runHook(values.exec as string);
                log('exec', { exitCode: code });
              },
            }),
        sleep: (ms) =>
          new Promise((resolve) => {
            // Node's timers overflow past 24.8 days (and then fire at once): wake at least hourly,
            // and the loop looks again at what is due.
            const timer = setTimeout(() => resolve(true), Math.min(ms, MAX_SLEEP_MS));
            void stopped.then(() => {
              clearTimeout(timer);
              resolve(false);
            });
          }),
        now: () => new Date(),
        random: Math.random,
        log,
        once: values.once,
        ...(renewBeforeSeconds === undefined ? {} : { renewBeforeSeconds }),
      });
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      log('stopped');
    }
  },
};
