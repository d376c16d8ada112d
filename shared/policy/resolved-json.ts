/**
 * The resolved policy (types.ts: validated, presets expanded, durations in seconds) as JSON, the
 * form apply-rbac stores beside the YAML text so that issue-cert decides without parsing YAML.
 * Reading it back checks every field's shape: whatever else a secret holds is refused with the
 * path of the first field that is wrong, never trusted. It checks shape only; the rules ran on
 * the YAML before the policy was stored.
 */
import { WardenError } from '../errors.js';
import { INSTANCE_ID } from './requesters.js';
import type {
  Access,
  CaSpec,
  ClientCertificateSpec,
  EtcdApi,
  KeyAlgorithm,
  KeySpan,
  Member,
  Permission,
  Policy,
  PresetName,
  Role,
  Template,
  User,
} from './types.js';

const ACCESS: readonly Access[] = ['read', 'write', 'readwrite'];
const KEYS: readonly KeyAlgorithm[] = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048', 'rsa-3072', 'rsa-4096'];
const PRESETS: readonly PresetName[] = ['calico', 'kubernetes'];
const APIS: readonly EtcdApi[] = ['v3', 'v2'];

class ShapeError extends Error {}

type Json = Record<string, unknown>;

function object(
  value: unknown,
  path: string,
  fields: readonly string[],
  optional: readonly string[] = [],
): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ShapeError(`${path} is not an object`);
  const known = new Set([...fields, ...optional]);
  const extra = Object.keys(value).find((k) => !known.has(k));
  if (extra !== undefined) throw new ShapeError(`${path}.${extra} is not a field of a resolved policy`);
  for (const field of fields) if (!(field in value)) throw new ShapeError(`${path}.${field} is missing`);
  return value as Json;
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new ShapeError(`${path} is not text`);
  return value;
}

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new ShapeError(`${path} is not one of ${allowed.join(', ')}`);
  return value as T;
}

function seconds(value: unknown, path: string): number {
  if (!Number.isSafeInteger(value) || (value as number) <= 0)
    throw new ShapeError(`${path} is not a positive whole number of seconds`);
  return value as number;
}

function list<T>(value: unknown, path: string, item: (v: unknown, p: string) => T): T[] {
  if (!Array.isArray(value)) throw new ShapeError(`${path} is not a list`);
  return value.map((v, i) => item(v, `${path}[${i}]`));
}

/** A record whose entries each carry their own key as `name`. */
function named<T extends { name: string }>(
  value: unknown,
  path: string,
  entry: (v: unknown, p: string) => T,
): Record<string, T> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ShapeError(`${path} is not an object`);
  const out: Record<string, T> = {};
  for (const [name, v] of Object.entries(value)) {
    const parsed = entry(v, `${path}.${name}`);
    if (parsed.name !== name) throw new ShapeError(`${path}.${name}.name is not "${name}"`);
    out[name] = parsed;
  }
  return out;
}

function span(value: unknown, path: string): KeySpan {
  const type = (value as { type?: unknown } | null)?.type;
  if (type === 'prefix')
    return { type, prefix: text(object(value, path, ['type', 'prefix']).prefix, `${path}.prefix`) };
  if (type === 'key') return { type, key: text(object(value, path, ['type', 'key']).key, `${path}.key`) };
  if (type === 'range') {
    const v = object(value, path, ['type', 'from', 'to']);
    return { type, from: text(v.from, `${path}.from`), to: text(v.to, `${path}.to`) };
  }
  throw new ShapeError(`${path}.type is not prefix, key or range`);
}

const permission = (value: unknown, path: string): Permission => {
  const v = object(value, path, ['span', 'access']);
  return { span: span(v.span, `${path}.span`), access: oneOf(v.access, `${path}.access`, ACCESS) };
};

const role = (value: unknown, path: string): Role => {
  const v = object(value, path, ['name', 'permissions']);
  return {
    name: text(v.name, `${path}.name`),
    permissions: list(v.permissions, `${path}.permissions`, permission),
  };
};

const certificate = (value: unknown, path: string): ClientCertificateSpec => {
  const v = object(value, path, ['ttlSeconds', 'requesters']);
  return {
    ttlSeconds: seconds(v.ttlSeconds, `${path}.ttlSeconds`),
    requesters: list(v.requesters, `${path}.requesters`, text),
  };
};

const user = (value: unknown, path: string): User => {
  const v = object(value, path, ['name', 'roles'], ['certificate']);
  return {
    name: text(v.name, `${path}.name`),
    roles: list(v.roles, `${path}.roles`, text),
    ...(v.certificate === undefined
      ? {}
      : { certificate: certificate(v.certificate, `${path}.certificate`) }),
  };
};

const member = (value: unknown, path: string): Member => {
  const v = object(value, path, ['name', 'hosts', 'ttlSeconds']);
  return {
    name: text(v.name, `${path}.name`),
    hosts: list(v.hosts, `${path}.hosts`, text),
    ttlSeconds: seconds(v.ttlSeconds, `${path}.ttlSeconds`),
  };
};

const template = (value: unknown, path: string): Template => {
  const v = object(value, path, ['name', 'user', 'roles'], ['certificate']);
  const pattern = text(v.user, `${path}.user`);
  if (!pattern.includes(INSTANCE_ID)) throw new ShapeError(`${path}.user does not contain ${INSTANCE_ID}`);
  return {
    name: text(v.name, `${path}.name`),
    user: pattern,
    roles: list(v.roles, `${path}.roles`, text),
    ...(v.certificate === undefined
      ? {}
      : { certificate: certificate(v.certificate, `${path}.certificate`) }),
  };
};

const ca = (value: unknown, path: string): CaSpec => {
  const v = object(value, path, ['commonName', 'key', 'validitySeconds', 'maxTtlSeconds', 'revoked']);
  return {
    commonName: text(v.commonName, `${path}.commonName`),
    key: oneOf(v.key, `${path}.key`, KEYS),
    validitySeconds: seconds(v.validitySeconds, `${path}.validitySeconds`),
    maxTtlSeconds: seconds(v.maxTtlSeconds, `${path}.maxTtlSeconds`),
    revoked: list(v.revoked, `${path}.revoked`, (serial, p) => {
      if (!/^[0-9a-f]+$/.test(text(serial, p))) throw new ShapeError(`${p} is not a lowercase hex serial`);
      return serial as string;
    }),
  };
};

/** The resolved policy in `value`; WardenError('internal') naming `where` and the first wrong field. */
export function resolvedPolicyFromJson(value: unknown, where: string): Policy {
  try {
    const v = object(
      value,
      '$',
      ['version', 'presets', 'auth', 'prune', 'ca', 'roles', 'users', 'members', 'templates'],
      // Policies stored before the v2 API was an option have no apis: they meant v3 alone.
      ['apis'],
    );
    if (v.version !== 1) throw new ShapeError('$.version is not 1');
    if (typeof v.prune !== 'boolean') throw new ShapeError('$.prune is not true or false');
    return {
      version: 1,
      presets: list(v.presets, '$.presets', (p, path) => oneOf(p, path, PRESETS)),
      auth: oneOf(v.auth, '$.auth', ['enabled', 'disabled'] as const),
      apis: v.apis === undefined ? ['v3'] : list(v.apis, '$.apis', (a, path) => oneOf(a, path, APIS)),
      prune: v.prune,
      ca: ca(v.ca, '$.ca'),
      roles: named(v.roles, '$.roles', role),
      users: named(v.users, '$.users', user),
      members: named(v.members, '$.members', member),
      templates: named(v.templates, '$.templates', template),
    };
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new WardenError(
      'internal',
      `${where} does not hold a resolved etcd-warden policy: ${error.message}`,
    );
  }
}
