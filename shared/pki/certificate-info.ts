// Reading back what an issued certificate says (for rendering configuration from issued files):
// its CN, whether it is a member (serverAuth) or client certificate, its SAN hosts and expiry.
import { isIP } from 'node:net';
import * as pkijs from 'pkijs';
import { WardenError } from '../errors.js';
import { asn1js } from './asn1.js';
import { extensionValue, readCertificate } from './certificate.js';
import type { CertificateProfile } from './extensions.js';
import { OID } from './object-identifiers.js';
import { fromPem } from './pem.js';
import { commonNames } from './subject.js';
import { DNS_NAME, IP_ADDRESS } from './subject-alt-names.js';

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

function hostText(name: pkijs.GeneralName): string[] {
  if (name.type === DNS_NAME) return [String(name.value)];
  if (name.type === IP_ADDRESS && name.value instanceof asn1js.OctetString)
    return [ipText(name.value.valueBlock.valueHexView)];
  return [];
}

export function certificateInfo(pem: string, what: string): CertificateInfo {
  const der = fromPem(pem, ['CERTIFICATE'], what);
  let cert: pkijs.Certificate;
  let purposes: string[];
  let names: pkijs.GeneralName[];
  try {
    cert = readCertificate(der, what);
    purposes = extensionValue(cert, OID.extKeyUsage, pkijs.ExtKeyUsage)?.keyPurposes ?? [];
    names = extensionValue(cert, OID.subjectAltName, pkijs.AltName)?.altNames ?? [];
  } catch {
    throw new WardenError('invalid-input', `${what} is not a readable X.509 certificate`);
  }
  return {
    commonName: commonNames(cert.subject)[0] ?? '',
    profile: purposes.includes(OID.serverAuth) ? 'member' : 'client',
    hosts: names.flatMap(hostText),
    notAfter: cert.notAfter.value,
  };
}
