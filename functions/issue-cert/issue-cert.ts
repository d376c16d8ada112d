/**
 * issue-cert: POST /certificates, GET /ca, GET /crl. Authorizes against the last applied policy
 * (the policy store, never etcd, so issuance works while etcd is down: the resolved policy as JSON,
 * no YAML parsed here) and signs with the CA from the CA store. Each store caches what it read:
 * the policy for POLICY_CACHE_SECONDS, the CA for the CA store's cache time; the parsed CA is kept
 * while the material stays the same. Every answer is JSON or PEM; an error is
 * {error: {code, message}} with no stack and no key material, and anything unexpected is a 500
 * whose detail goes only to the (redacting) log.
 */
import type { Context } from 'aws-lambda';
import { authorizeIssue } from '../../shared/authz/index.js';
import type { CaStore } from '../../shared/castore/index.js';
import { isWardenError, WardenError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log/index.js';
import {
  buildCrl,
  type CaMaterial,
  type CertificateAuthority,
  issueForName,
  loadCa,
  type PkiContext,
} from '../../shared/pki/index.js';
import { quote } from '../../shared/policy/diagnostics.js';
import type { PolicyStore, StoredPolicy } from '../../shared/policystore/index.js';
import {
  bodyOf,
  callerOf,
  errorResponse,
  type HttpEvent,
  type HttpResponse,
  json,
  methodOf,
  pathOf,
  pem,
} from '../http.js';
import { invocationFields } from '../invocation.js';
import { MAX_BODY_BYTES, parseCertificateRequest } from './certificate-request.js';

export interface IssueCertDeps {
  caStore: CaStore;
  policyStore: PolicyStore;
  pki: PkiContext;
  log: Logger;
}

const STATUS: Partial<Record<string, number>> = {
  'invalid-input': 400,
  forbidden: 403,
  'not-found': 404,
  unavailable: 503,
};

const UNAVAILABLE = 'the CA or the policy cannot be read right now; nothing was issued, try again';

/** What a caller learns of a fault that is not theirs; the detail goes only to the log. */
export const internalErrorResponse = (): HttpResponse =>
  errorResponse(500, 'internal', 'internal error; nothing was issued');

export function createIssueCert(
  deps: IssueCertDeps,
): (event: HttpEvent, context: Context) => Promise<HttpResponse> {
  const { caStore, policyStore, pki, log } = deps;
  // The parsed CA is reused for as long as the store returns the same material. Compared by
  // content: the file store (serve) reads the files again on every load.
  let loaded: { material: CaMaterial; ca: CertificateAuthority } | undefined;
  const sameMaterial = (a: CaMaterial, b: CaMaterial): boolean =>
    a.certificatePem === b.certificatePem && a.privateKeyPem === b.privateKeyPem;

  /** CA and policy, or a 503 when either store fails: a store problem is never the caller's. */
  async function sources(): Promise<{ ca: CertificateAuthority; stored: StoredPolicy }> {
    try {
      const [material, stored] = await Promise.all([caStore.load(), policyStore.load()]);
      if (!loaded || !sameMaterial(loaded.material, material))
        loaded = { material, ca: loadCa(material, pki) };
      return { ca: loaded.ca, stored };
    } catch (error) {
      // A secret that holds what no reader accepts (another format, a policy of another shape) is
      // a deployment fault that no retry mends: a 500, with the store's words in the log.
      if (isWardenError(error) && error.code === 'internal') throw error;
      log.error('store-unavailable', { error });
      throw new WardenError('unavailable', UNAVAILABLE, true);
    }
  }

  async function issue(event: HttpEvent): Promise<HttpResponse> {
    const body = bodyOf(event);
    if (body.length > MAX_BODY_BYTES) {
      return errorResponse(413, 'too-large', `the body is over ${MAX_BODY_BYTES} bytes`);
    }
    const request = parseCertificateRequest(body);
    const caller = callerOf(event);
    const { ca, stored } = await sources();
    const grant = authorizeIssue(stored.policy, caller, request.user);
    const issued = await issueForName(
      stored.policy,
      ca,
      {
        name: grant.name,
        ...(request.csr === undefined ? {} : { csr: request.csr }),
        ...(request.ttlSeconds === undefined ? {} : { ttlSeconds: request.ttlSeconds }),
      },
      pki,
    );
    log.certificateIssued({
      serial: issued.serial,
      name: issued.name,
      caller: grant.caller,
      notAfter: issued.notAfter,
      profile: issued.profile,
    });
    return json(201, {
      certificate: issued.certificatePem,
      ca: issued.caCertificatePem,
      serial: issued.serial,
      notBefore: issued.notBefore.toISOString(),
      notAfter: issued.notAfter.toISOString(),
      ...(issued.privateKeyPem === undefined ? {} : { privateKey: issued.privateKeyPem }),
      ...(issued.ignored.length > 0 ? { ignored: issued.ignored } : {}),
    });
  }

  async function route(event: HttpEvent): Promise<HttpResponse> {
    const method = methodOf(event);
    const path = pathOf(event).replace(/\/+$/, '') || '/';
    const allow = path === '/certificates' ? 'POST' : path === '/ca' || path === '/crl' ? 'GET' : undefined;
    if (!allow)
      return errorResponse(
        404,
        'not-found',
        `no route ${quote(path)}: POST /certificates, GET /ca, GET /crl`,
      );
    if (method !== allow) {
      const refused = errorResponse(405, 'method-not-allowed', `${path} takes ${allow}`);
      return { ...refused, headers: { ...refused.headers, allow } };
    }
    if (path === '/certificates') return issue(event);
    const { ca, stored } = await sources();
    if (path === '/ca') return pem(ca.certificatePem);
    return pem((await buildCrl(ca, stored.policy.ca.revoked, pki)).crlPem);
  }

  const answer = async (event: HttpEvent): Promise<HttpResponse> => {
    try {
      return await route(event);
    } catch (error) {
      const status = isWardenError(error) ? STATUS[error.code] : undefined;
      if (isWardenError(error) && status) {
        log.warn('request-refused', {
          status,
          code: error.code,
          message: error.message,
          caller: callerOf(event),
          path: quote(pathOf(event)),
        });
        return errorResponse(status, error.code, error.message);
      }
      log.error('request-failed', { error });
      return internalErrorResponse();
    }
  };

  // Every line an invocation writes carries its request id (invocation.ts).
  return (event, context) => log.withFields(invocationFields(context), () => answer(event));
}
