// Subject names. Every name this CA writes is exactly one Common Name: etcd takes the username
// from the CN, and anything more (O, OU…) would only be something else for a verifier to trust.
import { TAG, tlv, utf8String } from './der.js';
import { OID, oidDer } from './oid.js';

export const commonNameSubject = (commonName: string): Uint8Array =>
  tlv(TAG.sequence, tlv(TAG.set, tlv(TAG.sequence, oidDer(OID.commonName), utf8String(commonName))));
