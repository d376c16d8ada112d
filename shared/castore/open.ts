// `--ca-store` URLs to stores: file://DIR (relative to the working directory unless absolute) and
// secretsmanager://SECRET_ID (a name or a full ARN).
import { isAbsolute, resolve } from 'node:path';
import type { SecretsManagerStoreOptions } from '../aws/secrets-manager.js';
import { WardenError } from '../errors.js';
import type { CaStore } from './ca-store.js';
import { fileCaStore } from './file-store.js';
import { secretsManagerCaStore } from './secrets-manager-store.js';

export const DEFAULT_CA_STORE = 'file://.etcd-warden';

export function openCaStore(
  url: string,
  options: { cwd?: string; secretsManager?: SecretsManagerStoreOptions } = {},
): CaStore {
  if (url.startsWith('file://')) {
    const dir = url.slice('file://'.length);
    if (!dir) throw new WardenError('invalid-input', 'file:// needs a directory, e.g. file://.etcd-warden');
    return fileCaStore(isAbsolute(dir) ? dir : resolve(options.cwd ?? process.cwd(), dir));
  }
  if (url.startsWith('secretsmanager://')) {
    const id = url.slice('secretsmanager://'.length);
    if (!id) throw new WardenError('invalid-input', 'secretsmanager:// needs a secret name or ARN');
    return secretsManagerCaStore(id, options.secretsManager);
  }
  throw new WardenError(
    'invalid-input',
    `unknown CA store ${JSON.stringify(url)}: use file://DIR or secretsmanager://SECRET_ID`,
  );
}
