// What `cert request` and `agent` share on a node: the name (with this instance's id filled in),
// the signed request to issue-cert, and the files: NAME.pem, NAME-key.pem (0600) and ca.pem, each
// written whole (temporary file and rename), the CA and key before the certificate that needs them.
import { X509Certificate } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Validity } from '../shared/agent/agent-loop.js';
import { type ObtainedCertificate, requestCertificate } from '../shared/agent/request-certificate.js';
import { functionUrlPoster } from '../shared/aws/function-url.js';
import { instanceId } from '../shared/aws/instance-id.js';
import { writeFileAtomically } from '../shared/files/write-atomically.js';
import { nodePkiContext } from '../shared/pki/crypto-node.js';
import { INSTANCE_ID } from '../shared/policy/requesters.js';

export const resolveName = async (name: string): Promise<string> =>
  name.includes(INSTANCE_ID) ? name.replaceAll(INSTANCE_ID, await instanceId()) : name;

export function certificateObtainer(
  name: string,
  options: { url: string; region?: string; ttlSeconds?: number; env: NodeJS.ProcessEnv },
): () => Promise<ObtainedCertificate> {
  const post = functionUrlPoster(options.url, 'certificates', {
    env: options.env,
    ...(options.region === undefined ? {} : { region: options.region }),
  });
  const pki = nodePkiContext();
  return () => requestCertificate(name, options.ttlSeconds, { post, pki });
}

export const certificateFiles = (dir: string, name: string) => ({
  certificate: join(dir, `${name}.pem`),
  key: join(dir, `${name}-key.pem`),
  ca: join(dir, 'ca.pem'),
});

export async function installCertificate(
  dir: string,
  name: string,
  obtained: ObtainedCertificate,
): Promise<void> {
  const files = certificateFiles(dir, name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomically(files.ca, obtained.caPem, { mode: 0o644 });
  await writeFileAtomically(files.key, obtained.privateKeyPem, { mode: 0o600 });
  await writeFileAtomically(files.certificate, obtained.certificatePem, { mode: 0o644 });
}

/** The validity of the certificate in place, or undefined when there is none to keep. */
export async function installedValidity(dir: string, name: string): Promise<Validity | undefined> {
  try {
    const certificate = new X509Certificate(await readFile(certificateFiles(dir, name).certificate));
    return { notBefore: new Date(certificate.validFrom), notAfter: new Date(certificate.validTo) };
  } catch {
    return undefined;
  }
}
