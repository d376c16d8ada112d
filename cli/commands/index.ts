import type { CommandEntry } from '../command.js';

/** Every sub-command, in the order `--help` lists them. */
export const commands: CommandEntry[] = [
  {
    name: 'validate',
    summary: 'check a policy file (schema and lint rules)',
    load: async () => (await import('./validate.js')).validateCommand,
  },
  {
    name: 'plan',
    summary: 'show the changes that would bring etcd to the policy',
    load: async () => (await import('./plan.js')).planCommand,
  },
  {
    name: 'apply',
    summary: 'apply the plan to etcd under a cluster-wide lock',
    load: async () => (await import('./apply.js')).applyCommand,
  },
  {
    name: 'verify',
    summary: 'probe etcd as each user and print the access matrix',
    load: async () => (await import('./verify.js')).verifyCommand,
  },
  {
    name: 'import',
    summary: 'write a policy file from the roles and users of a live cluster',
    load: async () => (await import('./import.js')).importCommand,
  },
  {
    name: 'ca init',
    summary: 'create the CA (key type and validity from the policy) in the CA store',
    load: async () => (await import('./ca.js')).caInitCommand,
  },
  {
    name: 'ca show',
    summary: 'print the CA certificate (PEM)',
    load: async () => (await import('./ca.js')).caShowCommand,
  },
  {
    name: 'ca crl',
    summary: 'write the CRL of the policy’s revoked serials (for etcd --client-crl-file)',
    load: async () => (await import('./ca.js')).caCrlCommand,
  },
  {
    name: 'cert issue',
    summary: 'issue a certificate for a user (client) or a member (server+peer) of the policy',
    load: async () => (await import('./cert.js')).certIssueCommand,
  },
  {
    name: 'render',
    summary:
      'print component configuration (k8s-secret, etcd-flags, apiserver-flags, calicoctl) from issued files',
    load: async () => (await import('./render.js')).renderCommand,
  },
  {
    name: 'dev',
    summary: 'local sandbox: CA, TLS etcd with auth, the example policy applied and verified',
    load: async () => (await import('./dev.js')).devCommand,
  },
  {
    name: 'serve',
    summary:
      'run issue-cert and apply-rbac locally on 127.0.0.1 (function URL routes and the Lambda Invoke API)',
    load: async () => (await import('./serve.js')).serveCommand,
  },
];
