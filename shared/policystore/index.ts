/**
 * The last applied policy, kept where issue-cert can read it while etcd is down:
 *
 *   const store = secretsManagerPolicyStore(process.env.POLICY_SECRET_ID);  // or memoryPolicyStore(text)
 *   const { policy, version } = await store.load();                        // cached
 *   await store.save(yamlText);                                            // after a successful apply
 */
export {
  memoryPolicyStore,
  type PolicyStore,
  parseStoredPolicy,
  type StoredPolicy,
} from './policy-store.js';
export {
  POLICY_SECRET_FORMAT,
  type SecretsManagerPolicyStoreOptions,
  secretsManagerPolicyStore,
} from './secrets-manager-policy-store.js';
