/**
 * The last applied policy, kept where issue-cert can read it while etcd is down:
 *
 *   const store = secretsManagerPolicyStore(process.env.POLICY_SECRET_ID);  // or memoryPolicyStore({policy, text})
 *   const { policy, version } = await store.load();                        // cached; no YAML parsed
 *   await store.save({ policy, text });                                    // after a successful apply
 */
export { memoryPolicyStore, type PolicyStore, type StoredPolicy } from './policy-store.js';
export { POLICY_SECRET_FORMAT, secretsManagerPolicyStore } from './secrets-manager-policy-store.js';
