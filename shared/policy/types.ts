// The resolved policy model: what the rest of the core works on after the YAML has been
// parsed, validated and its presets expanded. Durations are whole seconds.

/** etcd's own words for a permission type. */
export type Access = 'read' | 'write' | 'readwrite';

/** Which keys a permission covers, in the form the policy author wrote it. */
export type KeySpan =
  | { type: 'prefix'; prefix: string }
  | { type: 'key'; key: string }
  /** `to` empty: every key from `from` on (etcd's range_end `\0`). */
  | { type: 'range'; from: string; to: string };

export interface Permission {
  span: KeySpan;
  access: Access;
}

export interface Role {
  name: string;
  permissions: Permission[];
}

export type KeyAlgorithm = 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096';

export interface CaSpec {
  commonName: string;
  key: KeyAlgorithm;
  validitySeconds: number;
  /** Upper bound for any certificate TTL the policy asks for. */
  maxTtlSeconds: number;
  /** Serial numbers (lowercase hex, no leading zeros) listed in the CRL. */
  revoked: string[];
}

export interface ClientCertificateSpec {
  ttlSeconds: number;
  /** IAM ARN patterns (`*` and `?` wildcards) allowed to request this certificate over HTTP. */
  requesters: string[];
}

export interface User {
  name: string;
  roles: string[];
  certificate?: ClientCertificateSpec;
}

export interface Member {
  name: string;
  /** DNS names and IP addresses, in the order written. */
  hosts: string[];
  ttlSeconds: number;
}

export interface Template {
  name: string;
  /** Username pattern containing `{instanceId}`. */
  user: string;
  roles: string[];
  certificate?: ClientCertificateSpec;
}

export type PresetName = 'calico' | 'kubernetes';

export type EtcdApi = 'v3' | 'v2';

export interface Policy {
  version: 1;
  presets: PresetName[];
  auth: 'enabled' | 'disabled';
  /** The auth stores the policy manages: v3's, and v2's (the HTTP API Calico's v2 setup uses). */
  apis: EtcdApi[];
  prune: boolean;
  ca: CaSpec;
  /** Declared roles plus the preset roles some user or template uses, by name. */
  roles: Record<string, Role>;
  users: Record<string, User>;
  members: Record<string, Member>;
  templates: Record<string, Template>;
}

export const ROOT = 'root';

/** etcd's v2 role for requests that name no user: it may read and write everything once v2 auth is on. */
export const V2_GUEST = 'guest';
