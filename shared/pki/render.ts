// Component configuration from issued files, as Calico's guide "Setting up etcd certificates for
// RBAC" and the etcd/kube-apiserver flags expect it. Pure: the CLI reads the files and passes
// their contents and paths in.
import { WardenError } from '../errors.js';
import { hostKind } from '../policy/hosts.js';
import type { CertificateInfo } from './certificate-info.js';

export const RENDER_FORMATS = ['k8s-secret', 'etcd-flags', 'apiserver-flags', 'calicoctl'] as const;
export type RenderFormat = (typeof RENDER_FORMATS)[number];

export const CLIENT_PORT = 2379;
export const PEER_PORT = 2380;

export interface IssuedFiles {
  name: string;
  certificate: CertificateInfo;
  /** File contents (k8s-secret embeds them). */
  certificatePem: string;
  privateKeyPem?: string;
  caPem: string;
  /** Where the files are (the flag formats point at them). */
  certificateFile: string;
  keyFile: string;
  caFile: string;
  /** A CRL file next to them, if any: etcd checks client certificates against it. */
  crlFile?: string;
  /** https://HOST:PORT client URLs (client formats). */
  endpoints: string[];
}

const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const quote = (text: string): string => JSON.stringify(text);
const hostUrl = (host: string, port: number): string =>
  `https://${host.includes(':') ? `[${host}]` : host}:${port}`;

function requireProfile(files: IssuedFiles, format: RenderFormat): void {
  const wanted = format === 'etcd-flags' ? 'member' : 'client';
  if (files.certificate.profile !== wanted) {
    throw new WardenError(
      'invalid-input',
      `${files.name} has a ${files.certificate.profile} certificate; ${format} needs a ${wanted} certificate`,
    );
  }
}

function requireEndpoints(files: IssuedFiles): string {
  if (files.endpoints.length === 0)
    throw new WardenError(
      'invalid-input',
      'no etcd endpoints: pass --endpoints or list members in the policy',
    );
  return files.endpoints.join(',');
}

function requireKey(files: IssuedFiles): string {
  if (files.privateKeyPem === undefined) {
    throw new WardenError(
      'invalid-input',
      `no private key for ${files.name} (${files.keyFile}): it was issued from a CSR; its key stays with its owner`,
    );
  }
  return files.privateKeyPem;
}

/** The Secret Calico's manifests mount at /calico-secrets (etcd_ca, etcd_cert, etcd_key in calico-config). */
const k8sSecret = (files: IssuedFiles): string =>
  [
    'apiVersion: v1',
    'kind: Secret',
    'type: Opaque',
    'metadata:',
    '  name: calico-etcd-secrets',
    '  namespace: kube-system',
    'data:',
    `  etcd-key: ${base64(requireKey(files))}`,
    `  etcd-cert: ${base64(files.certificatePem)}`,
    `  etcd-ca: ${base64(files.caPem)}`,
    '',
  ].join('\n');

// Listen URLs: etcd (3.2 and later) binds IP addresses only and refuses a DNS name there, and the
// address a member's DNS names resolve to is not known here. So a member with an IP host listens
// on its first one, and a member with DNS names only listens on all interfaces (0.0.0.0), where
// TLS with client certificate auth guards every connection. Leaving the flags out instead would
// make etcd listen on its plain-HTTP localhost defaults while advertising https URLs.
const ALL_INTERFACES = '0.0.0.0';

function etcdFlags(files: IssuedFiles): string {
  const hosts = files.certificate.hosts;
  const first = hosts[0] as string;
  const listenHost = hosts.find((h) => hostKind(h) === 'ip') ?? ALL_INTERFACES;
  const flags = [
    `--name=${files.name}`,
    `--cert-file=${files.certificateFile}`,
    `--key-file=${files.keyFile}`,
    `--trusted-ca-file=${files.caFile}`,
    '--client-cert-auth=true',
    ...(files.crlFile ? [`--client-crl-file=${files.crlFile}`] : []),
    `--peer-cert-file=${files.certificateFile}`,
    `--peer-key-file=${files.keyFile}`,
    `--peer-trusted-ca-file=${files.caFile}`,
    '--peer-client-cert-auth=true',
    `--advertise-client-urls=${hostUrl(first, CLIENT_PORT)}`,
    `--initial-advertise-peer-urls=${hostUrl(first, PEER_PORT)}`,
    `--listen-client-urls=${hostUrl(listenHost, CLIENT_PORT)}`,
    `--listen-peer-urls=${hostUrl(listenHost, PEER_PORT)}`,
  ];
  return `${flags.join('\n')}\n`;
}

const apiserverFlags = (files: IssuedFiles): string =>
  `${[
    `--etcd-servers=${requireEndpoints(files)}`,
    `--etcd-cafile=${files.caFile}`,
    `--etcd-certfile=${files.certificateFile}`,
    `--etcd-keyfile=${files.keyFile}`,
  ].join('\n')}\n`;

const calicoctl = (files: IssuedFiles): string =>
  [
    'apiVersion: projectcalico.org/v3',
    'kind: CalicoAPIConfig',
    'metadata: {}',
    'spec:',
    '  datastoreType: etcdv3',
    `  etcdEndpoints: ${quote(requireEndpoints(files))}`,
    `  etcdKeyFile: ${quote(files.keyFile)}`,
    `  etcdCertFile: ${quote(files.certificateFile)}`,
    `  etcdCACertFile: ${quote(files.caFile)}`,
    '',
  ].join('\n');

const RENDERERS: Record<RenderFormat, (files: IssuedFiles) => string> = {
  'k8s-secret': k8sSecret,
  'etcd-flags': etcdFlags,
  'apiserver-flags': apiserverFlags,
  calicoctl,
};

export function renderConfig(format: RenderFormat, files: IssuedFiles): string {
  if (files.certificate.commonName !== files.name) {
    throw new WardenError(
      'invalid-input',
      `${files.certificateFile} is for ${JSON.stringify(files.certificate.commonName)}, not ${files.name}`,
    );
  }
  requireProfile(files, format);
  return RENDERERS[format](files);
}

/** Client URLs for the policy's members: each member's first host on the client port. */
export const memberEndpoints = (members: { hosts: string[] }[]): string[] =>
  members.flatMap((m) => (m.hosts[0] ? [hostUrl(m.hosts[0], CLIENT_PORT)] : []));
