/**
 * Lambda entry of apply-rbac (handler `index.handler`, Node.js 24 runtime, in the etcd VPC).
 * Configuration:
 *   ETCD_ENDPOINTS    the etcd cluster's client endpoints, https://HOST:PORT or HOST:PORT, comma-separated
 *   CA_SECRET_ID      the CA's Secrets Manager secret (the root client certificate is minted from it)
 *   POLICY_SECRET_ID  where each applied policy is stored as a new version (issue-cert reads it)
 *   APPLY_ON_DRIFT    "true": the schedule applies the stored policy instead of only reporting drift
 *   ETCD_CALL_TIMEOUT_MS  deadline of each etcd call (default 5000)
 */
import type { Context } from 'aws-lambda';
import { secretsManagerCaStore } from '../../shared/castore/secrets-manager-store.js';
import { etcdEndpointUrls } from '../../shared/etcd/endpoints.js';
import { createLogger } from '../../shared/log/index.js';
import { nodePkiContext } from '../../shared/pki/crypto-node.js';
import { secretsManagerPolicyStore } from '../../shared/policystore/secrets-manager-policy-store.js';
import { requiredEnv } from '../environment.js';
import { invocationFields } from '../invocation.js';
import { type ApplyRbacResult, createApplyRbac, failedResult } from './apply-rbac.js';
import type { ApplyRbacEvent } from './events.js';

const log = createLogger();
let handle: ReturnType<typeof createApplyRbac> | undefined;

export const handler = async (event: ApplyRbacEvent, context: Context): Promise<ApplyRbacResult> => {
  try {
    const timeout = Number(process.env.ETCD_CALL_TIMEOUT_MS);
    handle ??= createApplyRbac({
      caStore: secretsManagerCaStore(requiredEnv('CA_SECRET_ID')),
      policyStore: secretsManagerPolicyStore(requiredEnv('POLICY_SECRET_ID')),
      endpoints: etcdEndpointUrls(requiredEnv('ETCD_ENDPOINTS'), 'ETCD_ENDPOINTS'),
      pki: nodePkiContext(),
      log,
      applyOnDrift: process.env.APPLY_ON_DRIFT === 'true',
      ...(Number.isFinite(timeout) && timeout > 0 ? { callTimeoutMs: timeout } : {}),
    });
  } catch (error) {
    // A deployment fault (a variable not set) is answered like any refusal, not thrown at Lambda.
    return log.withFields(invocationFields(context), () => failedResult(error, log));
  }
  return handle(event, context);
};
