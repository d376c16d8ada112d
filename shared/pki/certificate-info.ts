// Reading back what an issued certificate says (for rendering configuration from issued files):
// its CN, whether it is a member (serverAuth) or client certificate, its SAN hosts and expiry.
import { isIP } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { WardenError } from '../errors.js';
import type { CertificateProfile } from './extensions.js';
import { OID } from './oid.js';
import { fromPem } from './pem.js';

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

export function certificateInfo(pem: string, what: string): CertificateInfo {
  const der = fromPem(pem, ['CERTIFICATE'], what);
  let cert: pkijs.Certificate;
  try {
    const parsed = asn1js.fromBER(der);
    if (parsed.offset !== der.length) throw new Error('trailing bytes');
    cert = new pkijs.Certificate({ schema: parsed.result });
  } catch {
    throw new WardenError('invalid-input', `${what} is not a readable X.509 certificate`);
  }
  const cn = cert.subject.typesAndValues.find((t) => t.type === OID.commonName)?.value.valueBlock.value;
  const eku = cert.extensions?.find((e) => e.extnID === OID.extKeyUsage)?.parsedValue as
    | pkijs.ExtKeyUsage
    | undefined;
  const san = cert.extensions?.find((e) => e.extnID === OID.subjectAltName)?.parsedValue as
    | pkijs.AltName
    | undefined;
  const hosts = (san?.altNames ?? []).map((n) =>
    n.type === 7
      ? ipText(new Uint8Array((n.value as asn1js.OctetString).valueBlock.valueHexView))
      : String(n.value),
  );
  return {
    commonName: typeof cn === 'string' ? cn : '',
    profile: eku?.keyPurposes.includes(OID.serverAuth) ? 'member' : 'client',
    hosts,
    notAfter: cert.notAfter.value,
  };
}
