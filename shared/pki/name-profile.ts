// Which certificate a name may have under a policy: a member gets server+peer, a user (declared or
// a template instance) gets a client certificate, anything else gets nothing. Member names must
// never be usable as etcd usernames (CVE-2018-16886), so a collision is refused here as well as by
// the policy lint.
import { WardenError } from '../errors.js';
import { quote } from '../policy/diagnostics.js';
import { parseDuration } from '../policy/duration.js';
import { own } from '../policy/own.js';
import { INSTANCE_ID } from '../policy/requesters.js';
import { DEFAULTS } from '../policy/rules.js';
import type { ClientCertificateSpec, Policy } from '../policy/types.js';
import type { CertificateProfile } from './extensions.js';

export interface NameProfile {
  profile: CertificateProfile;
  name: string;
  hosts: string[];
  /** The lifetime the policy gives this name; also the most it may ask for. */
  ttlSeconds: number;
  /** Where that lifetime comes from, for messages. */
  ttlSource: string;
}

// EC2 instance ids: "i-" and 8 or 17 lowercase hex digits.
const INSTANCE_ID_PATTERN = 'i-(?:[0-9a-f]{8}|[0-9a-f]{17})';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The template whose user pattern the name is an instance of, if any. */
export function templateFor(policy: Policy, name: string): Policy['templates'][string] | undefined {
  return Object.values(policy.templates).find((t) =>
    new RegExp(`^${t.user.split(INSTANCE_ID).map(escapeRegExp).join(INSTANCE_ID_PATTERN)}$`).test(name),
  );
}

const DEFAULT_USER_TTL = parseDuration(DEFAULTS.userTtl) as number;

function clientProfile(
  name: string,
  certificate: ClientCertificateSpec | undefined,
  source: string,
): NameProfile {
  return {
    profile: 'client',
    name,
    hosts: [],
    ttlSeconds: certificate?.ttlSeconds ?? DEFAULT_USER_TTL,
    ttlSource: certificate ? `${source}.certificate.ttl` : `the default user TTL (${DEFAULTS.userTtl})`,
  };
}

export function nameProfile(policy: Policy, name: string): NameProfile {
  const member = own(policy.members, name);
  const user = own(policy.users, name);
  const template = templateFor(policy, name);
  if (member) {
    if (user || template) {
      throw new WardenError(
        'invalid-policy',
        `${quote(name)} is both a member and an etcd user; no certificate issued (CVE-2018-16886)`,
      );
    }
    return {
      profile: 'member',
      name,
      hosts: [...member.hosts],
      ttlSeconds: member.ttlSeconds,
      ttlSource: `members.${name}.ttl`,
    };
  }
  if (user) return clientProfile(name, user.certificate, `users.${name}`);
  if (template) return clientProfile(name, template.certificate, `templates.${template.name}`);
  throw new WardenError(
    'not-found',
    `${quote(name)} is neither a user nor a member in the policy; no certificate issued`,
  );
}
