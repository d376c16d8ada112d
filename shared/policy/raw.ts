// The policy as written, once it has passed the JSON Schema: every field optional but typed.

export interface RawPermission {
  prefix?: string;
  key?: string;
  range?: { from: string; to?: string };
  access: 'read' | 'write' | 'readwrite';
}

export interface RawCertificate {
  ttl?: string;
  requesters?: string[];
}

export interface RawPolicy {
  version: 1;
  presets?: ('calico' | 'kubernetes')[];
  auth?: 'enabled' | 'disabled';
  apis?: ('v3' | 'v2')[];
  prune?: boolean;
  ca?: { commonName?: string; key?: string; validity?: string; maxTtl?: string; revoked?: string[] };
  roles?: Record<string, RawPermission[]>;
  users?: Record<string, { roles: string[]; certificate?: RawCertificate; acknowledge?: 'root-grant'[] }>;
  members?: Record<string, { hosts: string[]; ttl?: string }>;
  templates?: Record<string, { user: string; roles: string[]; certificate?: RawCertificate }>;
}
