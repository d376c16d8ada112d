// Where the CA lives. One interface, two adapters: `file://DIR` for operators and the local
// sandbox, `secretsmanager://SECRET_ID` for the functions. The PKI core never touches either;
// the fronts load CaMaterial here and hand it to loadCa.
import type { CaMaterial } from '../pki/certificate-authority.js';

export interface CaStore {
  /** The store's URL, for messages; it never contains secret material. */
  readonly url: string;
  /** Whether a CA is stored. */
  exists(): Promise<boolean>;
  /** The CA certificate and private key; WardenError 'not-found' when there is none. */
  load(): Promise<CaMaterial>;
  /** The CA certificate alone (the file store then never reads the key). */
  loadCertificate(): Promise<string>;
  /** Stores a new CA. WardenError 'conflict' when one exists, unless `overwrite`. */
  create(material: CaMaterial, options?: { overwrite?: boolean }): Promise<void>;
}
