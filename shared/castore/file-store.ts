// `file://DIR`: ca.pem (0644) and ca-key.pem (0600) in DIR (created 0700). A key file that group or
// others can read is refused, as ssh refuses one: the CA key is the whole cluster's identity.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { WardenError } from '../errors.js';
import { writeFileAtomically } from '../files/write-atomically.js';
import type { CaMaterial } from '../pki/certificate-authority.js';
import type { CaStore } from './ca-store.js';

export const CERTIFICATE_FILE = 'ca.pem';
export const KEY_FILE = 'ca-key.pem';

const missing = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ENOENT';

export function fileCaStore(dir: string): CaStore {
  const url = `file://${dir}`;
  const certificatePath = join(dir, CERTIFICATE_FILE);
  const keyPath = join(dir, KEY_FILE);
  const noCa = () => new WardenError('not-found', `no CA in ${url}: run \`etcd-warden ca init\``);

  async function readCertificate(): Promise<string> {
    try {
      return await readFile(certificatePath, 'utf8');
    } catch (error) {
      if (missing(error)) throw noCa();
      throw new WardenError(
        'unavailable',
        `cannot read ${certificatePath}: ${(error as NodeJS.ErrnoException).code}`,
      );
    }
  }

  async function readKey(): Promise<string> {
    try {
      const info = await stat(keyPath);
      if ((info.mode & 0o077) !== 0) {
        throw new WardenError(
          'forbidden',
          `${keyPath} is readable by others (mode ${(info.mode & 0o777).toString(8)}); run \`chmod 600 ${keyPath}\``,
        );
      }
      return await readFile(keyPath, 'utf8');
    } catch (error) {
      if (error instanceof WardenError) throw error;
      if (missing(error)) throw noCa();
      // The error code only: a message could quote a path, never contents, but keep it minimal.
      throw new WardenError(
        'unavailable',
        `cannot read ${keyPath}: ${(error as NodeJS.ErrnoException).code}`,
      );
    }
  }

  async function exists(): Promise<boolean> {
    for (const path of [certificatePath, keyPath]) {
      try {
        await stat(path);
        return true;
      } catch (error) {
        if (!missing(error))
          throw new WardenError(
            'unavailable',
            `cannot inspect ${path}: ${(error as NodeJS.ErrnoException).code}`,
          );
      }
    }
    return false;
  }

  return {
    url,
    exists,
    loadCertificate: readCertificate,
    async load() {
      const certificatePem = await readCertificate();
      return { certificatePem, privateKeyPem: await readKey() };
    },
    async create(material: CaMaterial, options = {}) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      if (!options.overwrite && (await exists())) {
        throw new WardenError(
          'conflict',
          `a CA already exists in ${url}; refusing to overwrite it (use --force to replace it)`,
        );
      }
      await writeFileAtomically(keyPath, material.privateKeyPem, { mode: 0o600 });
      await writeFileAtomically(certificatePath, material.certificatePem, { mode: 0o644 });
    },
  };
}
