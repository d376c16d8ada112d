/**
 * CA stores: `openCaStore(url)` → CaStore { url, exists(), load() → CaMaterial, loadCertificate(),
 * create(material, {overwrite}) }. `file://DIR` (default DEFAULT_CA_STORE) keeps ca.pem + ca-key.pem
 * (0600); `secretsmanager://SECRET_ID` keeps JSON {format, certificate, privateKey} in one secret
 * (see secrets-manager-store.ts). Errors are WardenErrors: not-found, conflict, forbidden,
 * unavailable (retryable for throttling).
 */

export type { SecretsManagerStoreOptions } from '../aws/secrets-manager.js';
export type { CaStore } from './ca-store.js';
export { CERTIFICATE_FILE, fileCaStore, KEY_FILE } from './file-store.js';
export { DEFAULT_CA_STORE, openCaStore } from './open.js';
export { SECRET_FORMAT, secretsManagerCaStore } from './secrets-manager-store.js';
