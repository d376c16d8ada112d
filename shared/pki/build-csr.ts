// A PKCS#10 request (RFC 2986) for a node's own key, built with pkijs and signed with node:crypto
// over the exact bytes pkijs encodes: CN = the etcd user, no attributes, ECDSA P-256 with SHA-256.
// The key never leaves the node; issue-cert certifies the public half.
import { type KeyObject, sign } from 'node:crypto';
import * as pkijs from 'pkijs';
import { asn1js } from './asn1.js';
import { toPem } from './pem.js';

const COMMON_NAME = '2.5.4.3';
const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';

/** The PEM CSR for `commonName`, signed by `privateKey` (ECDSA P-256) whose public half is `spki`. */
export function buildCsr(commonName: string, privateKey: KeyObject, spki: Uint8Array): string {
  const request = new pkijs.CertificationRequest();
  request.version = 0;
  request.subject.typesAndValues.push(
    new pkijs.AttributeTypeAndValue({
      type: COMMON_NAME,
      value: new asn1js.Utf8String({ value: commonName }),
    }),
  );
  request.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(spki);
  request.attributes = [];
  request.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_WITH_SHA256 });
  // The request info as pkijs encodes it (the first element of the whole), signed as those bytes.
  const info = new Uint8Array((request.toSchema(true).valueBlock.value[0] as asn1js.Sequence).toBER());
  request.tbsView = info;
  request.signatureValue = new asn1js.BitString({ valueHex: sign('sha256', info, privateKey) });
  return toPem('CERTIFICATE REQUEST', new Uint8Array(request.toSchema(false).toBER()));
}
