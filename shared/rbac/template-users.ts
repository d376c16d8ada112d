// Users created and removed by events (one per instance) belong to templates, not to the plan.
import { INSTANCE_ID } from '../policy/requesters.js';
import type { Template } from '../policy/types.js';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A test telling whether a username was made from one of the templates. */
export function templateUserMatcher(templates: Iterable<Template>): (user: string) => boolean {
  const patterns = [...templates].map(
    (t) => new RegExp(`^${t.user.split(INSTANCE_ID).map(escapeRegExp).join('.+')}$`, 's'),
  );
  return (user) => patterns.some((p) => p.test(user));
}
