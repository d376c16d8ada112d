// The openssl command line as an independent judge of what our PKI produces, and as an
// independent maker of keys and CSRs (including the bad ones).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpensslRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function openssl(args: string[], input?: string | Uint8Array): OpensslRun {
  const run = spawnSync('openssl', args, { input, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

export function opensslBytes(args: string[], input?: string | Uint8Array): Buffer {
  const run = spawnSync('openssl', args, { input, timeout: 60_000 });
  if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${run.stderr}`);
  return run.stdout;
}

/** A scratch directory removed by the returned `remove`. */
export function scratch(): {
  dir: string;
  file(name: string, content: string | Uint8Array): string;
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'warden-pki-'));
  return {
    dir,
    file(name, content) {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export type Purpose = 'sslclient' | 'sslserver' | 'crlsign' | 'any';

/** `openssl verify -x509_strict -purpose P -CAfile ca cert`; extra args such as `-crl_check -CRLfile f`. */
export function verify(caPem: string, certPem: string, purpose: Purpose, extra: string[] = []): OpensslRun {
  const s = scratch();
  try {
    return openssl([
      'verify',
      '-x509_strict',
      '-purpose',
      purpose,
      '-CAfile',
      s.file('ca.pem', caPem),
      ...extra,
      s.file('cert.pem', certPem),
    ]);
  } finally {
    s.remove();
  }
}

export const x509Text = (pem: string): string => {
  const run = openssl(['x509', '-noout', '-text'], pem);
  if (run.code !== 0) throw new Error(`openssl x509 failed: ${run.stderr}`);
  return run.stdout;
};

/** `openssl x509 -noout -<field>` lines such as `-subject -nameopt RFC2253`, `-serial`, `-dates`. */
export const x509Fields = (pem: string, fields: string[]): string => {
  const run = openssl(['x509', '-noout', ...fields], pem);
  if (run.code !== 0) throw new Error(`openssl x509 failed: ${run.stderr}`);
  return run.stdout;
};

/** The body of one extension in `openssl x509 -text`, e.g. "X509v3 Subject Alternative Name". */
export function extensionText(text: string, name: string): string | undefined {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trim().startsWith(`${name}:`));
  if (at < 0) return undefined;
  return lines[at + 1]?.trim();
}

/** Every X509v3 extension header in `openssl x509 -text`, with "critical" when so. */
export const extensionNames = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(
      (l) => (l.startsWith('X509v3 ') && l !== 'X509v3 extensions:') || l.startsWith('Authority Information'),
    )
    .map((l) => l.replace(/:$/, ''));

export type KeySpec = 'ec:P-256' | 'ec:P-384' | 'ec:secp256k1' | 'ec:P-521' | `rsa:${number}` | 'ed25519';

/** A new private key (PKCS#8 PEM) made by openssl. */
export function opensslKey(spec: KeySpec): string {
  const [type, param] = spec.split(':') as [string, string | undefined];
  const args =
    type === 'ec'
      ? ['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${param}`]
      : type === 'rsa'
        ? ['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${param}`]
        : ['genpkey', '-algorithm', 'ED25519'];
  return opensslBytes(args).toString('utf8');
}

/** A CSR made by `openssl req`; `subject` like "/CN=x", `addext` like ["subjectAltName=DNS:evil"]. */
export function opensslCsr(
  keyPem: string,
  subject: string,
  options: { addext?: string[]; der?: boolean; digest?: string } = {},
): Buffer {
  const s = scratch();
  try {
    const args = ['req', '-new', '-key', s.file('key.pem', keyPem), '-subj', subject];
    if (options.digest) args.push(`-${options.digest}`);
    for (const e of options.addext ?? []) args.push('-addext', e);
    if (options.der) args.push('-outform', 'DER');
    return opensslBytes(args);
  } finally {
    s.remove();
  }
}
