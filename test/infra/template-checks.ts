/**
 * Security and wiring checks over a synthesized CloudFormation template, written against the
 * template JSON (not the CDK constructs) so that they judge what would be deployed. Each returns a list of
 * problems, empty when the template is sound; the tests run them on the real stack and on
 * deliberately broken variants.
 */

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation templates are untyped JSON.
type Json = any;
export interface Template {
  Resources: Record<string, { Type: string; Properties?: Json }>;
}

interface Statement {
  where: string;
  Effect: string;
  Action?: string | string[];
  Resource?: Json;
  Principal?: Json;
  Condition?: Json;
}

const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const resources = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);

/** Every statement of every identity policy (IAM policies, managed policies, roles' inline policies). */
export function identityStatements(template: Template): Statement[] {
  const out: Statement[] = [];
  const add = (where: string, document: Json) => {
    for (const s of asList<Json>(document?.Statement)) out.push({ where, ...s });
  };
  for (const [id, r] of resources(template, 'AWS::IAM::Policy')) add(id, r.Properties.PolicyDocument);
  for (const [id, r] of resources(template, 'AWS::IAM::ManagedPolicy')) add(id, r.Properties.PolicyDocument);
  for (const type of ['AWS::IAM::Role', 'AWS::IAM::User', 'AWS::IAM::Group']) {
    for (const [id, r] of resources(template, type))
      for (const p of asList<Json>(r.Properties?.Policies)) add(`${id}/${p.PolicyName}`, p.PolicyDocument);
  }
  return out;
}

const touchesSecretsOrKms = (action: string) => action === '*' || /^(secretsmanager|kms):/i.test(action);

/** Allow statements for secrets or KMS whose resource is `*` or holds a wildcard. */
export function wildcardSecretOrKmsGrants(template: Template): string[] {
  return identityStatements(template)
    .filter((s) => s.Effect === 'Allow' && asList(s.Action).some(touchesSecretsOrKms))
    .filter(
      (s) => s.Resource === undefined || asList(s.Resource).some((r) => JSON.stringify(r).includes('*')),
    )
    .map((s) => `${s.where}: ${JSON.stringify(s.Action)} on ${JSON.stringify(s.Resource)}`);
}

/** Function URLs that do not require IAM (SigV4) authentication. */
export function functionUrlsWithoutIamAuth(template: Template): string[] {
  return resources(template, 'AWS::Lambda::Url')
    .filter(([, r]) => r.Properties.AuthType !== 'AWS_IAM')
    .map(([id, r]) => `${id}: AuthType ${r.Properties.AuthType}`);
}

const canonical = (values: Json[]) => values.map((v) => JSON.stringify(v)).sort();
const sameSet = (a: Json[], b: Json[]) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/**
 * Principals beyond `readers` that could read the secret `secretLogicalId`:
 * - its resource policy must deny secretsmanager:GetSecretValue to every principal (`*`) except exactly
 *   `readers` (aws:PrincipalArn, as template values such as {"Fn::GetAtt": [role, "Arn"]}) and allow
 *   nothing;
 * - no identity policy in the template may allow reading it to a role whose ARN is not in `readers`.
 */
export function secretReadersBeyond(template: Template, secretLogicalId: string, readers: Json[]): string[] {
  const problems: string[] = [];
  const ref = { Ref: secretLogicalId };
  const policies = resources(template, 'AWS::SecretsManager::ResourcePolicy').filter(
    ([, r]) => JSON.stringify(r.Properties.SecretId) === JSON.stringify(ref),
  );
  if (policies.length !== 1)
    problems.push(`${secretLogicalId}: ${policies.length} resource policies, expected 1`);
  for (const [id, r] of policies) {
    const statements = asList<Json>(r.Properties.ResourcePolicy?.Statement);
    for (const s of statements.filter((s) => s.Effect !== 'Deny'))
      problems.push(`${id}: statement ${s.Sid ?? '?'} is not a Deny`);
    const denyRead = statements.find(
      (s) =>
        s.Effect === 'Deny' &&
        JSON.stringify(s.Principal) === JSON.stringify({ AWS: '*' }) &&
        asList(s.Action).includes('secretsmanager:GetSecretValue'),
    );
    if (!denyRead) {
      problems.push(`${id}: no Deny of secretsmanager:GetSecretValue to every principal`);
      continue;
    }
    const keys = Object.keys(denyRead.Condition ?? {});
    const exempt = asList<Json>(denyRead.Condition?.StringNotEquals?.['aws:PrincipalArn']);
    const conditionOk =
      readers.length === 0
        ? keys.length === 0
        : keys.length === 1 &&
          Object.keys(denyRead.Condition.StringNotEquals).length === 1 &&
          sameSet(exempt, readers);
    if (!conditionOk)
      problems.push(
        `${id}: the read deny exempts ${JSON.stringify(denyRead.Condition)}, not exactly the readers`,
      );
  }
  for (const s of identityStatements(template)) {
    if (s.Effect !== 'Allow') continue;
    const reads = asList(s.Action).some((a) =>
      /^(\*|secretsmanager:\*|secretsmanager:Get\*|secretsmanager:GetSecretValue)$/i.test(a),
    );
    const onSecret = asList<Json>(s.Resource).some(
      (r) => r === '*' || JSON.stringify(r) === JSON.stringify(ref) || JSON.stringify(r).includes('secret:'),
    );
    if (!reads || !onSecret) continue;
    const owner = template.Resources[s.where.split('/')[0] ?? ''];
    const roles =
      owner?.Type === 'AWS::IAM::Policy' || owner?.Type === 'AWS::IAM::ManagedPolicy'
        ? asList<Json>(owner.Properties.Roles).map((role) => role.Ref)
        : [s.where.split('/')[0]];
    for (const role of roles) {
      if (!readers.some((r) => JSON.stringify(r) === JSON.stringify({ 'Fn::GetAtt': [role, 'Arn'] })))
        problems.push(`${s.where}: lets ${role ?? 'a principal'} read ${secretLogicalId}`);
    }
    for (const key of ['Users', 'Groups'])
      if (asList(owner?.Properties?.[key]).length > 0)
        problems.push(`${s.where}: lets IAM ${key.toLowerCase()} read ${secretLogicalId}`);
  }
  return problems;
}

/** This stack's account as CloudFormation renders CDK's AccountRootPrincipal: the key policy default. */
export const ACCOUNT_ROOT = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']],
};

/** `"*"`, `{"AWS": "*"}`, `{"Service": ["x", "*"]}`, …: a principal that matches everyone. */
const everyone = (principal: Json) => JSON.stringify(principal ?? null).includes('"*"');

/**
 * Principals a KMS key policy allows beyond this account's root (which leaves the decision to IAM,
 * CDK's default) and `allowed` (e.g. the functions' role ARNs): `*` in any form, other accounts,
 * other roles or users, AWS services, federated users, and Allow with NotPrincipal.
 */
export function keyPolicyPrincipalsBeyond(template: Template, allowed: Json[]): string[] {
  const problems: string[] = [];
  const permitted = [ACCOUNT_ROOT, ...allowed].map((p) => JSON.stringify(p));
  for (const [id, r] of resources(template, 'AWS::KMS::Key')) {
    for (const s of asList<Json>(r.Properties?.KeyPolicy?.Statement)) {
      if (s.Effect !== 'Allow') continue;
      const where = `${id}: statement ${s.Sid ?? JSON.stringify(s.Action)}`;
      if (s.NotPrincipal !== undefined) {
        problems.push(`${where} allows every principal but ${JSON.stringify(s.NotPrincipal)}`);
        continue;
      }
      if (everyone(s.Principal)) {
        problems.push(`${where} allows Principal *`);
        continue;
      }
      for (const [kind, values] of Object.entries<Json>(s.Principal ?? {})) {
        for (const value of asList<Json>(values)) {
          if (kind !== 'AWS' || !permitted.includes(JSON.stringify(value)))
            problems.push(`${where} allows ${kind} ${JSON.stringify(value)}`);
        }
      }
    }
  }
  return problems;
}

const LAMBDA_SERVICE = [{ Service: 'lambda.amazonaws.com' }, { Service: ['lambda.amazonaws.com'] }].map((p) =>
  JSON.stringify(p),
);

/**
 * Function execution roles that something other than the Lambda service may assume: any trust
 * policy Allow whose principal is not exactly lambda.amazonaws.com, or a function whose role this
 * template does not define (its trust cannot be judged here).
 */
export function functionRolesAssumableBeyondLambda(template: Template): string[] {
  const problems: string[] = [];
  const roleIds = new Set<string>();
  for (const [id, fn] of resources(template, 'AWS::Lambda::Function')) {
    const roleId = fn.Properties?.Role?.['Fn::GetAtt']?.[0];
    if (template.Resources[roleId]?.Type === 'AWS::IAM::Role') roleIds.add(roleId);
    else
      problems.push(`${id}: its role ${JSON.stringify(fn.Properties?.Role)} is not a role of this template`);
  }
  for (const roleId of roleIds) {
    const trust = template.Resources[roleId]?.Properties?.AssumeRolePolicyDocument;
    for (const s of asList<Json>(trust?.Statement)) {
      if (s.Effect !== 'Allow') continue;
      if (s.NotPrincipal !== undefined || !LAMBDA_SERVICE.includes(JSON.stringify(s.Principal)))
        problems.push(
          `${roleId}: trust policy lets ${JSON.stringify(s.Principal ?? { NotPrincipal: s.NotPrincipal })} assume it`,
        );
    }
  }
  return problems;
}

/**
 * Schedule rules whose targets get an input of the rule's making instead of EventBridge's own
 * "Scheduled Event": apply-rbac runs its drift check (the warning, APPLY_ON_DRIFT) only for the
 * latter, and takes {"command": "plan"} for an ordinary plan.
 */
export function scheduleTargetsWithoutTheScheduledEvent(template: Template): string[] {
  const problems: string[] = [];
  for (const [id, r] of resources(template, 'AWS::Events::Rule')) {
    if (r.Properties?.ScheduleExpression === undefined) continue;
    for (const target of asList<Json>(r.Properties.Targets)) {
      for (const key of ['Input', 'InputPath', 'InputTransformer'])
        if (target[key] !== undefined)
          problems.push(`${id}: target ${target.Id} gets ${key} ${JSON.stringify(target[key])}`);
    }
  }
  return problems;
}

const invokesFunctions = (action: string) => /^(\*|lambda:\*|lambda:InvokeFunction)$/i.test(action);

/**
 * Ways to invoke issue-cert other than through its function URL. Anyone who may call
 * lambda:InvokeFunction on it directly writes the event, caller identity included, and so can
 * mint any certificate: the only Lambda permission for it must be conditioned on
 * InvokedViaFunctionUrl, and no identity policy may allow invoking it (or every function, `*`).
 */
export function issueCertInvokableOutsideUrl(template: Template, issueCertLogicalId: string): string[] {
  const refersToIssueCert = (value: Json) =>
    JSON.stringify(value ?? null).includes(`"${issueCertLogicalId}"`);
  const problems: string[] = [];
  for (const [id, r] of resources(template, 'AWS::Lambda::Permission')) {
    const p = r.Properties;
    if (!refersToIssueCert(p.FunctionName) || !invokesFunctions(p.Action)) continue;
    if (p.Action === 'lambda:InvokeFunction' && p.InvokedViaFunctionUrl === true) continue;
    problems.push(`${id}: ${p.Action} for ${JSON.stringify(p.Principal)} outside the function URL`);
  }
  for (const s of identityStatements(template)) {
    if (s.Effect !== 'Allow' || !asList(s.Action).some(invokesFunctions)) continue;
    const targets = asList<Json>(s.Resource);
    if (targets.some((t) => refersToIssueCert(t) || JSON.stringify(t).includes('*')))
      problems.push(`${s.where}: ${JSON.stringify(s.Action)} on ${JSON.stringify(s.Resource)}`);
  }
  return problems;
}
