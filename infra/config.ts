/**
 * The deployment's settings from CDK context (`-c key=value`, or cdk.json's "context"): the network
 * and etcd endpoints of the target cluster and the principals allowed around the secrets. Lists are
 * comma-separated. Missing network settings fall back to placeholders so that `npm run synth` works
 * on any machine; `missing` names them so the app can warn that the template is not deployable.
 */
import { Duration } from 'aws-cdk-lib';
import { etcdEndpointUrls } from '../shared/etcd/endpoints.js';
import type { EtcdWardenStackProps } from './warden-stack.js';

export const CONTEXT_KEYS = {
  vpcId: 'vpcId',
  subnetIds: 'subnetIds',
  etcdEndpoints: 'etcdEndpoints',
  caAdministrators: 'caAdministrators',
  issueCertInvokers: 'issueCertInvokers',
  driftCheckMinutes: 'driftCheckMinutes',
  applyOnDrift: 'applyOnDrift',
  namePrefix: 'namePrefix',
} as const;

/** Placeholders for the settings a real deployment must give. */
export const PLACEHOLDERS = {
  vpcId: 'vpc-00000000000000000',
  subnetIds: ['subnet-00000000000000000'],
  etcdEndpoints: ['https://10.0.0.11:2379'],
} as const;

// cdk.json gives JSON booleans, -c KEY=VALUE gives text.
const BOOLEANS = new Map<unknown, boolean>([
  [true, true],
  ['true', true],
  [false, false],
  ['false', false],
]);

export interface ContextSettings {
  props: Omit<EtcdWardenStackProps, 'issueCertCode' | 'applyRbacCode'>;
  /** Context keys that were not given and hold placeholders. */
  missing: string[];
}

/** Reads the settings through `get` (e.g. `(key) => app.node.tryGetContext(key)`); throws on bad values. */
export function settingsFromContext(get: (key: string) => unknown): ContextSettings {
  const missing: string[] = [];
  const text = (key: string): string | undefined => {
    const value = get(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' && typeof value !== 'number')
      throw new Error(`context ${key}: expected text, got ${JSON.stringify(value)}`);
    return String(value).trim();
  };
  const list = (key: string): string[] | undefined => {
    const value = get(key);
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map((v) => v.trim());
    const raw = text(key);
    return raw === undefined
      ? undefined
      : raw
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '');
  };
  const required = <T>(key: string, value: T | undefined, placeholder: T): T => {
    if (value !== undefined) return value;
    missing.push(key);
    return placeholder;
  };

  const vpcId = required(CONTEXT_KEYS.vpcId, text(CONTEXT_KEYS.vpcId), PLACEHOLDERS.vpcId);
  if (!/^vpc-[0-9a-f]{8,17}$/.test(vpcId))
    throw new Error(`context vpcId: ${JSON.stringify(vpcId)} is not a VPC id`);
  const subnetIds = required(CONTEXT_KEYS.subnetIds, list(CONTEXT_KEYS.subnetIds), [
    ...PLACEHOLDERS.subnetIds,
  ]);
  for (const id of subnetIds)
    if (!/^subnet-[0-9a-f]{8,17}$/.test(id))
      throw new Error(`context subnetIds: ${JSON.stringify(id)} is not a subnet id`);
  // The same rules as every other front's endpoints: a bad one fails synthesis, not the deployed function.
  const etcdEndpoints = etcdEndpointUrls(
    required(CONTEXT_KEYS.etcdEndpoints, list(CONTEXT_KEYS.etcdEndpoints), [...PLACEHOLDERS.etcdEndpoints]),
    CONTEXT_KEYS.etcdEndpoints,
  );
  const caAdministrators = principals(CONTEXT_KEYS.caAdministrators, list(CONTEXT_KEYS.caAdministrators));
  const issueCertInvokers = principals(CONTEXT_KEYS.issueCertInvokers, list(CONTEXT_KEYS.issueCertInvokers));

  const minutesText = text(CONTEXT_KEYS.driftCheckMinutes);
  const minutes = minutesText === undefined ? 60 : Number(minutesText);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 7 * 24 * 60)
    throw new Error(
      `context driftCheckMinutes: ${JSON.stringify(minutesText)} is not a whole number of minutes (1..10080)`,
    );

  const applyOnDriftValue = get(CONTEXT_KEYS.applyOnDrift) ?? false;
  const applyOnDrift = BOOLEANS.get(applyOnDriftValue);
  if (applyOnDrift === undefined)
    throw new Error(`context applyOnDrift: ${JSON.stringify(applyOnDriftValue)} is not true or false`);

  return {
    props: {
      vpcId,
      subnetIds,
      etcdEndpoints,
      caAdministrators,
      issueCertInvokers,
      driftCheckInterval: Duration.minutes(minutes),
      applyOnDrift,
      namePrefix: text(CONTEXT_KEYS.namePrefix),
    },
    missing,
  };
}

// IAM principal ARNs (roles, users, accounts); a wildcard here would widen the secrets' deny exceptions.
function principals(key: string, values: string[] | undefined): string[] {
  for (const arn of values ?? []) {
    if (!/^arn:aws[a-z-]*:iam::\d{12}:(root|role\/.+|user\/.+)$/.test(arn) || arn.includes('*'))
      throw new Error(`context ${key}: ${JSON.stringify(arn)} is not an IAM role, user or account ARN`);
  }
  return values ?? [];
}
