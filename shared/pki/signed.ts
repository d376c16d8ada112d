// Signing a certificate or CRL built with pkijs: pkijs encodes the to-be-signed part and the
// algorithm, the CA's Signer signs the TBS bytes (synchronously with node:crypto; pkijs' own sign
// goes through async WebCrypto), and the signed envelope is those same two encoded parts and the
// signature. (pkijs' toSchema would build the TBS again, or decode the signed bytes again: both
// cost more than the signature itself.)
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
  // toSchema(true) encodes the fields: SEQUENCE { tbs, signatureAlgorithm, signatureValue (empty yet) }.
  const [tbs, signatureAlgorithm] = (document.toSchema(true) as asn1js.Sequence).valueBlock.value as [
    asn1js.AsnType,
    asn1js.AsnType,
  ];
  const signatureValue = new asn1js.BitString({
    valueHex: await signer.sign(new Uint8Array(tbs.toBER())),
  });
  return new Uint8Array(new asn1js.Sequence({ value: [tbs, signatureAlgorithm, signatureValue] }).toBER());
}
