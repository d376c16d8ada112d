// Changes come back as JSON (from changeToJson, possibly through the apply-rbac function). The
// summary describes them with the core's own wording, so they are turned back into Changes here.
import { toEtcdRange } from '../../shared/policy/keyspan.js';
import type { Access, KeySpan } from '../../shared/policy/types.js';
import type { Change } from '../../shared/rbac/change.js';
import type { ChangeJson } from '../../shared/rbac/format-plan.js';

const ACCESS: readonly string[] = ['read', 'write', 'readwrite'] satisfies Access[];
const isAccess = (value: unknown): value is Access => typeof value === 'string' && ACCESS.includes(value);

const text = (value: unknown): value is string => typeof value === 'string';

function spanOf(json: ChangeJson): KeySpan | undefined {
  const span = json.span as Partial<Record<string, unknown>> | undefined;
  if (!span) return undefined;
  if (span.type === 'key' && text(span.key)) return { type: 'key', key: span.key };
  if (span.type === 'prefix' && text(span.prefix)) return { type: 'prefix', prefix: span.prefix };
  if (span.type === 'range' && text(span.from) && text(span.to))
    return { type: 'range', from: span.from, to: span.to };
  return undefined;
}

/** The Change a ChangeJson stands for, or undefined when the JSON is not one. */
export function changeFromJson(json: ChangeJson): Change | undefined {
  const { role, user } = json;
  switch (json.op) {
    case 'add-role':
    case 'delete-role':
      return text(role) ? { op: json.op, role } : undefined;
    case 'add-user':
    case 'delete-user':
      return text(user) ? { op: json.op, user } : undefined;
    case 'grant-role':
    case 'revoke-role':
      return text(role) && text(user) ? { op: json.op, user, role } : undefined;
    case 'grant-permission':
    case 'revoke-permission': {
      const span = spanOf(json);
      const { access, previous } = json;
      if (!text(role) || !span || !isAccess(access)) return undefined;
      const change = { op: json.op, role, ...toEtcdRange(span), access };
      return json.op === 'grant-permission' && isAccess(previous)
        ? { ...change, op: 'grant-permission', previous }
        : change;
    }
    case 'enable-auth':
    case 'disable-auth':
    case 'v2-enable-auth':
    case 'v2-disable-auth':
      return { op: json.op };
    case 'v2-add-role':
    case 'v2-delete-role':
      return text(role) ? { op: json.op, role } : undefined;
    case 'v2-add-user':
    case 'v2-delete-user':
      return text(user) ? { op: json.op, user } : undefined;
    case 'v2-grant-role':
    case 'v2-revoke-role':
      return text(role) && text(user) ? { op: json.op, user, role } : undefined;
    case 'v2-grant-path':
    case 'v2-revoke-path': {
      const { path, access } = json;
      return text(role) && text(path) && (access === 'read' || access === 'write')
        ? { op: json.op, role, path, access }
        : undefined;
    }
    default:
      return undefined;
  }
}
