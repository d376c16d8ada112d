/**
 * Lambda entry of issue-cert (handler `index.handler`, Node.js 24 runtime). Configuration:
 *   CA_SECRET_ID      the CA's Secrets Manager secret (name or ARN), as `ca init --ca-store secretsmanager://…`
 *   POLICY_SECRET_ID  the secret apply-rbac stores each applied policy in
 *   POLICY_CACHE_SECONDS  how long a warm instance answers from the policy it read (default 300):
 *                     a user that an apply adds is known to every instance after at most this long
 * The policy is read at the first request and again once POLICY_CACHE_SECONDS have passed; the CA
 * is read at the first request and again after the CA store's cache time (15 minutes), and parsed
 * again only when its material changed.
 */
import type { Context } from 'aws-lambda';
import { secretsManagerCaStore } from '../../shared/castore/secrets-manager-store.js';
import { createLogger } from '../../shared/log/index.js';
import { nodePkiContext } from '../../shared/pki/crypto-node.js';
import { secretsManagerPolicyStore } from '../../shared/policystore/secrets-manager-policy-store.js';
import { optionalSeconds, requiredEnv } from '../environment.js';
import type { HttpEvent, HttpResponse } from '../http.js';
import { invocationFields } from '../invocation.js';
import { createIssueCert, internalErrorResponse } from './issue-cert.js';

const log = createLogger();
let handle: ReturnType<typeof createIssueCert> | undefined;

export const handler = async (event: HttpEvent, context: Context): Promise<HttpResponse> => {
  try {
    handle ??= createIssueCert({
      caStore: secretsManagerCaStore(requiredEnv('CA_SECRET_ID')),
      policyStore: secretsManagerPolicyStore(requiredEnv('POLICY_SECRET_ID'), {
        cacheSeconds: optionalSeconds('POLICY_CACHE_SECONDS'),
      }),
      pki: nodePkiContext(),
      log,
    });
  } catch (error) {
    // A deployment fault (a variable not set): the caller gets a JSON 500, the log says which.
    log.withFields(invocationFields(context), () => log.error('not-configured', { error }));
    return internalErrorResponse();
  }
  return handle(event, context);
};
