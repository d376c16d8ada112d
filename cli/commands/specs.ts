// Every command's flags, declared once: this drives parsing (cli/args.ts), `--help` and `help CMD`,
// and the README's command reference (`etcd-warden help --markdown`, checked by a test). The
// declarations load without any command's code, so help never parses etcd3 or the PKI.

export interface FlagSpec {
  type: 'string' | 'boolean';
  /** What the value is, in help: FILE, URLS, DURATION. */
  value?: string;
  /** The parsed default; strings only (booleans default to false). */
  default?: string;
  /** Read when the flag is not given (the code reads it; help says so). */
  env?: string;
  /** What applies when neither flag nor variable is given, when that is not `default`. */
  fallback?: string;
  description: string;
}

export type Flags = Record<string, FlagSpec>;

export interface CommandSpec<F extends Flags = Flags> {
  name: string;
  summary: string;
  /** Positional operands, as usage shows them: "[FILE]", "NAME". */
  operands?: string;
  flags: F;
  /** Exit codes beyond the ones every command shares (0 done, 1 failed, 2 usage error). */
  exitCodes?: Record<number, string>;
  example: string;
}

export const SHARED_EXIT_CODES: Record<number, string> = {
  0: 'done',
  1: 'failed: invalid input, an invalid policy, or etcd or a store refused (one line says why)',
  2: 'usage error: an unknown flag, a missing or extra operand (the usage line follows)',
};

const policyFlag = {
  type: 'string',
  value: 'FILE',
  default: 'etcd-warden.yaml',
  description: 'the policy file (a FILE operand wins)',
} as const;

const caStoreFlag = {
  type: 'string',
  value: 'URL',
  env: 'ETCD_WARDEN_CA_STORE',
  fallback: 'file://.etcd-warden',
  description: 'the CA store: file://DIR or secretsmanager://SECRET_ID',
} as const;

/** etcdctl's connection flags and variables; the client certificate's CN is the identity. */
const connectionFlags = {
  endpoints: {
    type: 'string',
    value: 'URLS',
    env: 'ETCDCTL_ENDPOINTS',
    description: 'etcd client URLs, comma-separated: https://HOST[:PORT] or HOST[:PORT]',
  },
  cacert: {
    type: 'string',
    value: 'FILE',
    env: 'ETCDCTL_CACERT',
    description: 'the CA that signed etcd’s server certificate',
  },
  cert: {
    type: 'string',
    value: 'FILE',
    env: 'ETCDCTL_CERT',
    description: 'the client certificate; its CN is the etcd user this command acts as',
  },
  key: {
    type: 'string',
    value: 'FILE',
    env: 'ETCDCTL_KEY',
    description: 'the client certificate’s private key',
  },
  'command-timeout': {
    type: 'string',
    value: 'DURATION',
    fallback: '5s',
    description: 'how long one call to etcd may take',
  },
} as const;

/** The node commands' issue-cert function URL and signing region. */
const functionUrlFlag = {
  type: 'string',
  value: 'URL',
  description: 'the issue-cert function URL (required)',
} as const;
const regionFlag = {
  type: 'string',
  value: 'REGION',
  env: 'AWS_REGION',
  fallback: 'the URL’s region',
  description: 'the region to sign for when the URL does not say it',
} as const;

const json = { type: 'boolean', description: 'print JSON for machines instead of text' } as const;

export const SPECS = {
  validate: {
    name: 'validate',
    summary: 'check a policy file (schema and lint rules)',
    operands: '[FILE]',
    flags: {
      policy: policyFlag,
      format: {
        type: 'string',
        value: 'text|json',
        default: 'text',
        description: 'how to print the findings',
      },
      summary: {
        type: 'boolean',
        description: 'also print what the policy grants, role by role and user by user',
      },
    },
    exitCodes: { 1: 'the policy is invalid (warnings alone keep 0)' },
    example: 'etcd-warden validate examples/calico-advanced.yaml',
  },
  plan: {
    name: 'plan',
    summary: 'show the changes that would bring etcd to the policy',
    operands: '[FILE]',
    flags: {
      policy: policyFlag,
      json,
      'detailed-exitcode': {
        type: 'boolean',
        description: 'exit 2 when there are changes to apply (0 when none), as terraform does',
      },
      ...connectionFlags,
    },
    exitCodes: {
      2: 'with --detailed-exitcode: there are changes to apply (a usage error also exits 2, with the usage line on stderr)',
    },
    example: 'etcd-warden plan examples/calico-advanced.yaml --detailed-exitcode',
  },
  apply: {
    name: 'apply',
    summary: 'apply the plan to etcd under a cluster-wide lock',
    operands: '[FILE]',
    flags: {
      policy: policyFlag,
      yes: {
        type: 'boolean',
        description: 'apply without asking (needed off a terminal when there are changes)',
      },
      json,
      'lock-timeout': {
        type: 'string',
        value: 'DURATION',
        fallback: '0s',
        description: 'how long to wait for another apply’s lock (0s: fail at once)',
      },
      'lock-ttl': {
        type: 'string',
        value: 'DURATION',
        fallback: '10s',
        description: 'how long the lock outlives this process if it dies',
      },
      ...connectionFlags,
    },
    example: 'etcd-warden apply examples/calico-advanced.yaml --yes',
  },
  verify: {
    name: 'verify',
    summary: 'probe etcd as each user and print the access matrix',
    operands: '[FILE]',
    flags: { policy: policyFlag, 'ca-store': caStoreFlag, json, ...connectionFlags },
    exitCodes: { 1: 'some access differs from the policy, or a probe failed' },
    example: 'etcd-warden verify examples/calico-advanced.yaml',
  },
  import: {
    name: 'import',
    summary: 'write a policy file from the roles and users of a live cluster',
    flags: {
      out: {
        type: 'string',
        value: 'FILE',
        fallback: 'standard output',
        description: 'where to write the policy',
      },
      force: { type: 'boolean', description: 'overwrite --out when it exists' },
      ...connectionFlags,
    },
    example: 'etcd-warden import --out current.yaml',
  },
  'ca init': {
    name: 'ca init',
    summary: 'create the CA (key type and validity from the policy) in the CA store',
    flags: {
      policy: policyFlag,
      'ca-store': caStoreFlag,
      force: {
        type: 'boolean',
        description: 'replace an existing CA (every certificate it issued stops working)',
      },
    },
    example: 'etcd-warden ca init --policy etcd-warden.yaml --ca-store secretsmanager://etcd-warden/ca',
  },
  'ca show': {
    name: 'ca show',
    summary: 'print the CA certificate (PEM)',
    flags: { 'ca-store': caStoreFlag },
    example: 'etcd-warden ca show > ca.pem',
  },
  'ca crl': {
    name: 'ca crl',
    summary: 'write the CRL of the policy’s revoked serials (for etcd --client-crl-file)',
    flags: {
      policy: policyFlag,
      'ca-store': caStoreFlag,
      out: {
        type: 'string',
        value: 'FILE',
        fallback: 'standard output',
        description: 'where to write the CRL (PEM)',
      },
      validity: {
        type: 'string',
        value: 'DURATION',
        fallback: '168h',
        description: 'how long the CRL is valid',
      },
    },
    example: 'etcd-warden ca crl --out crl.pem',
  },
  'cert issue': {
    name: 'cert issue',
    summary: 'issue a certificate for a user (client) or a member (server+peer) of the policy',
    operands: 'NAME',
    flags: {
      csr: {
        type: 'string',
        value: 'FILE',
        description: 'certify this CSR’s key (PEM or DER); without it a key is made here',
      },
      out: {
        type: 'string',
        value: 'DIR',
        default: '.',
        description: 'where NAME.pem, NAME-key.pem and ca.pem go',
      },
      ttl: {
        type: 'string',
        value: 'DURATION',
        fallback: 'the policy’s ttl for NAME',
        description: 'a shorter lifetime than the policy gives',
      },
      policy: policyFlag,
      'ca-store': caStoreFlag,
    },
    example: 'etcd-warden cert issue calico-cni --out certs',
  },
  'cert request': {
    name: 'cert request',
    summary:
      'on a node: make a key, ask issue-cert for its certificate (SigV4-signed), check it, write the files',
    operands: 'NAME',
    flags: {
      url: functionUrlFlag,
      out: {
        type: 'string',
        value: 'DIR',
        default: '.',
        description: 'where NAME.pem, NAME-key.pem (0600) and ca.pem go',
      },
      ttl: {
        type: 'string',
        value: 'DURATION',
        fallback: 'the policy’s ttl for NAME',
        description: 'a shorter lifetime',
      },
      region: regionFlag,
    },
    exitCodes: {
      1: 'no certificate: issue-cert refused or was unreachable, or its answer failed the checks; no file written',
    },
    example:
      "etcd-warden cert request 'calico-node-{instanceId}' --url https://abc.lambda-url.eu-west-1.on.aws --out /etc/calico/certs",
  },
  agent: {
    name: 'agent',
    summary: 'on a node: keep a certificate fresh, renewing when a third of its life is left',
    flags: {
      url: functionUrlFlag,
      name: {
        type: 'string',
        value: 'NAME',
        description: 'the etcd user; {instanceId} is this EC2 instance’s id (required)',
      },
      out: {
        type: 'string',
        value: 'DIR',
        default: '.',
        description: 'where NAME.pem, NAME-key.pem (0600) and ca.pem go',
      },
      exec: {
        type: 'string',
        value: 'CMD',
        description: 'run through /bin/sh once after each renewal (restart or reload the client)',
      },
      'renew-before': {
        type: 'string',
        value: 'DURATION',
        fallback: 'a third of the lifetime',
        description: 'renew when less than this is left',
      },
      ttl: {
        type: 'string',
        value: 'DURATION',
        fallback: 'the policy’s ttl for NAME',
        description: 'a shorter lifetime',
      },
      'metrics-file': {
        type: 'string',
        value: 'PATH',
        description:
          'write the expiry time there in Prometheus text format (node_exporter textfile collector)',
      },
      once: {
        type: 'boolean',
        description: 'renew only if due, then exit (for a systemd timer or a cron job)',
      },
      region: regionFlag,
    },
    exitCodes: { 1: 'with --once: the certificate was due and could not be renewed (the old files stay)' },
    example:
      "etcd-warden agent --url https://abc.lambda-url.eu-west-1.on.aws --name 'calico-node-{instanceId}' --out /etc/calico/certs --exec 'systemctl restart calico-node'",
  },
  render: {
    name: 'render',
    summary:
      'print component configuration (k8s-secret, etcd-flags, apiserver-flags, calicoctl) from issued files',
    operands: 'NAME',
    flags: {
      format: {
        type: 'string',
        value: 'k8s-secret|etcd-flags|apiserver-flags|calicoctl',
        description: 'what to print (required); apiserver-flags and calicoctl need endpoints',
      },
      dir: { type: 'string', value: 'DIR', default: '.', description: 'where `cert issue` wrote the files' },
      endpoints: {
        type: 'string',
        value: 'URLS',
        env: 'ETCDCTL_ENDPOINTS',
        fallback: 'the policy’s members',
        description: 'etcd client URLs for apiserver-flags and calicoctl',
      },
      policy: policyFlag,
    },
    example: 'etcd-warden render calico-cni --format k8s-secret --dir certs',
  },
  dev: {
    name: 'dev',
    summary: 'local sandbox: CA, TLS etcd with auth, the example policy applied and verified',
    flags: {
      policy: {
        type: 'string',
        value: 'FILE',
        default: 'examples/calico-kubernetes-simple.yaml',
        description: 'the policy the sandbox applies',
      },
      dir: {
        type: 'string',
        value: 'DIR',
        default: '.etcd-warden/dev',
        description: 'the sandbox’s files and etcd data',
      },
      'ca-store': caStoreFlag,
      'etcd-port': {
        type: 'string',
        value: 'PORT',
        default: '23790',
        description: 'etcd’s client port on 127.0.0.1',
      },
      'peer-port': {
        type: 'string',
        value: 'PORT',
        default: '23800',
        description: 'etcd’s peer port on 127.0.0.1',
      },
      'serve-port': {
        type: 'string',
        value: 'PORT',
        default: '8790',
        description: 'serve’s port on 127.0.0.1',
      },
    },
    exitCodes: { 1: 'another sandbox runs in DIR, a port is in use, or the sandbox failed' },
    example: 'etcd-warden dev',
  },
  serve: {
    name: 'serve',
    summary:
      'run issue-cert and apply-rbac locally on 127.0.0.1 (function URL routes and the Lambda Invoke API)',
    flags: {
      port: {
        type: 'string',
        value: 'PORT',
        default: '8080',
        description: 'the port on 127.0.0.1 (0: any free one)',
      },
      policy: {
        type: 'string',
        value: 'FILE',
        description: 'a policy issue-cert starts with (apply-rbac replaces it)',
      },
      'ca-store': caStoreFlag,
      credentials: {
        type: 'string',
        value: 'FILE',
        description:
          'JSON {"ACCESS_KEY_ID": {"secretAccessKey", "principal", "invoke"?}}: who may sign Invoke API calls',
      },
      endpoints: connectionFlags.endpoints,
      'command-timeout': connectionFlags['command-timeout'],
    },
    example: 'etcd-warden serve --port 8790 --credentials credentials.json',
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof SPECS;
