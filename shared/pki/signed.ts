// Signing a certificate or CRL built with pkijs: pkijs encodes the to-be-signed part once (its
// encodeTBS), the CA's Signer signs those bytes (synchronously with node:crypto; pkijs' own sign
// goes through async WebCrypto), and the signed envelope holds those same bytes, the algorithm and
// the signature. (pkijs' toSchema would build the TBS again, or decode the signed bytes again: both
// cost more than the signature itself.)
import * as pkijs from 'pkijs';
import { asn1js, encodeOnce } from './asn1.js';
import { algorithmIdentifier } from './signature-algorithm.js';
import type { Signer } from './signer.js';

export async function signed(
  document: pkijs.Certificate | pkijs.CertificateRevocationList,
  signer: Signer,
): Promise<Uint8Array> {
  const algorithm = algorithmIdentifier(signer.signatureAlgorithm);
  document.signature = algorithm;
  document.signatureAlgorithm = algorithm;
  // A CRL's encodeTBS is protected in pkijs' types: its toSchema(true) holds the same, first.
  const tbs = encodeOnce(
    document instanceof pkijs.Certificate
      ? document.encodeTBS()
      : ((document.toSchema(true) as asn1js.Sequence).valueBlock.value[0] as asn1js.AsnType),
  );
  const signatureValue = new asn1js.BitString({ valueHex: await signer.sign(tbs.der) });
  return new Uint8Array(
    new asn1js.Sequence({ value: [tbs.reusable, algorithm.toSchema(), signatureValue] }).toBER(),
  );
}
