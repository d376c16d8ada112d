// Connections that act as a given etcd user, each with a short-lived client certificate minted
// in memory from the CA. The key never leaves this process and dies with the connection.
import type { CertificateAuthority, PkiContext } from '../pki/index.js';
import { issueClientCertificate } from '../pki/index.js';
import type { UserSession } from '../rbac/verify.js';
import { connectEtcd } from './connect.js';
import { probeAccess } from './probe.js';

/** Long enough for a verify run, short enough that a leaked one is soon useless. */
export const PROBE_CERTIFICATE_TTL_SECONDS = 600;

export function userSessions(options: {
  endpoints: string[];
  /** Trust anchor for the etcd servers' certificates. */
  caPem: string;
  ca: CertificateAuthority;
  pki: PkiContext;
  callTimeoutMs?: number;
}): (user: string) => Promise<UserSession> {
  return async (user) => {
    const issued = await issueClientCertificate(options.ca, user, options.pki, PROBE_CERTIFICATE_TTL_SECONDS);
    const client = await connectEtcd({
      endpoints: options.endpoints,
      caPem: options.caPem,
      certPem: issued.certificatePem,
      keyPem: issued.privateKeyPem,
      ...(options.callTimeoutMs ? { callTimeoutMs: options.callTimeoutMs } : {}),
    });
    return {
      probe: (p) => probeAccess(client, p.operation, p.key, p.rangeEnd),
      close: () => client.close(),
    };
  };
}
