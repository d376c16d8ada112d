// Signing a certificate or CRL built with pkijs: pkijs encodes the to-be-signed part, the CA's
// Signer signs exactly those bytes (synchronously with node:crypto; pkijs' own sign goes through
// async WebCrypto), and pkijs encodes the whole around those same bytes and the signature.
import type * as pkijs from 'pkijs';
import { asn1js } from './asn1.js';
import { algorithmIdentifier } from './signature-algorithm.js';
import type { Signer } from './signer.js';

export async function signed(
  document: pkijs.Certificate | pkijs.CertificateRevocationList,
  signer: Signer,
): Promise<Uint8Array> {
  const algorithm = algorithmIdentifier(signer.signatureAlgorithm);
  document.signature = algorithm;
  document.signatureAlgorithm = algorithm;
  // toSchema(true) encodes the fields; its first element is the TBSCertificate or TBSCertList.
  const [tbsSchema] = (document.toSchema(true) as asn1js.Sequence).valueBlock.value;
  document.tbsView = new Uint8Array((tbsSchema as asn1js.AsnType).toBER());
  document.signatureValue = new asn1js.BitString({ valueHex: await signer.sign(document.tbsView) });
  // toSchema() without encodeFlag wraps tbsView: the output holds exactly the bytes signed.
  return new Uint8Array((document.toSchema() as asn1js.Sequence).toBER());
}
