/**
 * What apply-rbac is asked to do, from the three kinds of event it receives:
 *   - a direct invocation {command: "plan" | "apply", policy?: "<YAML>"} (the Action; without a
 *     policy, the stored one);
 *   - an EventBridge "Scheduled Event" (the drift check the stack schedules: plan, and apply only
 *     with APPLY_ON_DRIFT=true);
 *   - an EC2 "Instance State-change Notification" (running / terminated).
 * Anything else is refused as invalid input.
 */
import type { EventBridgeEvent, ScheduledEvent } from 'aws-lambda';
import { WardenError } from '../../shared/errors.js';
import { MAX_POLICY_BYTES, policyTooLarge } from '../../shared/policy/source.js';
import type { InstanceState } from '../../shared/rbac/instance-changes.js';

/** A direct invocation: the Action's, or `aws lambda invoke`'s. */
export interface ApplyRbacCommand {
  command: 'plan' | 'apply';
  /** The policy YAML; without it, the stored policy. */
  policy?: string;
}

export type InstanceStateChange = EventBridgeEvent<
  'EC2 Instance State-change Notification',
  { 'instance-id': string; state: string }
>;

/** What apply-rbac is invoked with, as typed; taskOf still checks it, as any input. */
export type ApplyRbacEvent = ApplyRbacCommand | ScheduledEvent | InstanceStateChange;

export type ApplyRbacTask =
  | { kind: 'command'; command: 'plan' | 'apply'; policyText?: string }
  | { kind: 'drift-check' }
  | { kind: 'instance'; instanceId: string; state: InstanceState }
  | { kind: 'ignored'; reason: string };

const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const COMMAND_FIELDS = new Set(['command', 'policy']);

const invalid = (message: string) => new WardenError('invalid-input', message);

function commandTask(event: Record<string, unknown>): ApplyRbacTask {
  const extra = Object.keys(event).filter((k) => !COMMAND_FIELDS.has(k));
  if (extra.length > 0) throw invalid(`unknown field ${JSON.stringify(extra[0])}`);
  const { command, policy } = event;
  if (command !== 'plan' && command !== 'apply') throw invalid('"command" must be "plan" or "apply"');
  if (policy === undefined) return { kind: 'command', command };
  if (typeof policy !== 'string' || policy.trim() === '')
    throw invalid('"policy" must be the policy YAML text');
  const bytes = Buffer.byteLength(policy);
  if (bytes > MAX_POLICY_BYTES) throw invalid(policyTooLarge(bytes));
  return { kind: 'command', command, policyText: policy };
}

function instanceTask(detail: unknown): ApplyRbacTask {
  const d = (detail ?? {}) as { 'instance-id'?: unknown; state?: unknown };
  const instanceId = d['instance-id'];
  if (typeof instanceId !== 'string' || !INSTANCE_ID.test(instanceId)) {
    throw invalid('EC2 state-change event without a valid detail.instance-id');
  }
  if (d.state === 'running' || d.state === 'terminated')
    return { kind: 'instance', instanceId, state: d.state };
  return {
    kind: 'ignored',
    reason: `instance ${instanceId} is ${String(d.state)}: only running and terminated change users`,
  };
}

export function taskOf(event: unknown): ApplyRbacTask {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw invalid('the event must be a JSON object');
  }
  const e = event as Record<string, unknown>;
  if ('command' in e) return commandTask(e);
  if (e.source === 'aws.events' && e['detail-type'] === 'Scheduled Event') return { kind: 'drift-check' };
  if (e.source === 'aws.ec2' && e['detail-type'] === 'EC2 Instance State-change Notification') {
    return instanceTask(e.detail);
  }
  throw invalid('unknown event: expected {command, policy}, a Scheduled Event or an EC2 state-change');
}
