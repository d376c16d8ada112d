import type { CommandEntry } from '../command.js';
import { SPECS } from './specs.js';

/** Every sub-command, in the order `--help` lists them. */
export const commands: CommandEntry[] = [
  {
    spec: SPECS.validate,
    load: async () => (await import('./validate.js')).validateCommand,
  },
  {
    spec: SPECS.plan,
    load: async () => (await import('./plan.js')).planCommand,
  },
  {
    spec: SPECS.apply,
    load: async () => (await import('./apply.js')).applyCommand,
  },
  {
    spec: SPECS.verify,
    load: async () => (await import('./verify.js')).verifyCommand,
  },
  {
    spec: SPECS.import,
    load: async () => (await import('./import.js')).importCommand,
  },
  {
    spec: SPECS['ca init'],
    load: async () => (await import('./ca.js')).caInitCommand,
  },
  {
    spec: SPECS['ca show'],
    load: async () => (await import('./ca.js')).caShowCommand,
  },
  {
    spec: SPECS['ca crl'],
    load: async () => (await import('./ca.js')).caCrlCommand,
  },
  {
    spec: SPECS['cert issue'],
    load: async () => (await import('./cert.js')).certIssueCommand,
  },
  {
    spec: SPECS['cert request'],
    load: async () => (await import('./cert-request.js')).certRequestCommand,
  },
  {
    spec: SPECS.agent,
    load: async () => (await import('./agent.js')).agentCommand,
  },
  {
    spec: SPECS.render,
    load: async () => (await import('./render.js')).renderCommand,
  },
  {
    spec: SPECS.dev,
    load: async () => (await import('./dev.js')).devCommand,
  },
  {
    spec: SPECS.serve,
    load: async () => (await import('./serve.js')).serveCommand,
  },
];
