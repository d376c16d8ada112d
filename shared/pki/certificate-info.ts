// Reading back what an issued certificate says (for rendering configuration from issued files):
// its CN, whether it is a member (serverAuth) or client certificate, its SAN hosts and expiry.
import { isIP } from 'node:net';
import { WardenError } from '../errors.js';
import type { CertificateProfile } from './extensions.js';
import { OID } from './oid.js';
import { fromPem } from './pem.js';
import { generalNames, keyPurposes, type ReadCertificate, readCertificate } from './read-certificate.js';
import { commonNames } from './subject.js';

export interface CertificateInfo {
  commonName: string;
  profile: CertificateProfile;
  /** DNS names and IP addresses from subjectAltName, in order. */
  hosts: string[];
  notAfter: Date;
}

function ipText(bytes: Uint8Array): string {
  if (bytes.length === 4) return bytes.join('.');
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2)
    words.push((((bytes[i] as number) << 8) | (bytes[i + 1] as number)).toString(16));
  const text = words.join(':');
  return isIP(text) ? text : '';
}

const DNS_NAME = 2;
const IP_ADDRESS = 7;

export function certificateInfo(pem: string, what: string): CertificateInfo {
  const der = fromPem(pem, ['CERTIFICATE'], what);
  let cert: ReadCertificate;
  let purposes: string[];
  let names: { type: number; value: Uint8Array }[];
  try {
    cert = readCertificate(der);
    purposes = keyPurposes(cert.extensions.get(OID.extKeyUsage));
    names = generalNames(cert.extensions.get(OID.subjectAltName));
  } catch {
    throw new WardenError('invalid-input', `${what} is not a readable X.509 certificate`);
  }
  return {
    commonName: commonNames(cert.subjectAttributes)[0] ?? '',
    profile: purposes.includes(OID.serverAuth) ? 'member' : 'client',
    hosts: names
      .filter((n) => n.type === DNS_NAME || n.type === IP_ADDRESS)
      .map((n) => (n.type === IP_ADDRESS ? ipText(n.value) : Buffer.from(n.value).toString('latin1'))),
    notAfter: cert.notAfter,
  };
}
