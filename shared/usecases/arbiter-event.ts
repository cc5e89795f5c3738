import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { ArbiterConfig } from '../config/schema';
import { groupOfVerdictRow } from '../store/keys';

/** The input the reconcile schedule sends (EventBridge Scheduler `Input`). */
export interface ScheduledInput {
  source: 'ha-arbiter.schedule';
  /** `<aws.scheduler.scheduled-time>`, ISO 8601. */
  time?: string;
  group?: string;
}

export type ArbiterTrigger =
  | { kind: 'stream'; groups: string[] }
  | { kind: 'schedule'; groups: string[] }
  | { kind: 'dropped'; reason: string };

function isStream(event: unknown): event is DynamoDBStreamEvent {
  const records = (event as { Records?: unknown })?.Records;
  return (
    Array.isArray(records) &&
    records.every((r) => (r as { eventSource?: string }).eventSource === 'aws:dynamodb')
  );
}

/**
 * Turns an arbiter invocation event into the groups to reconcile. Stream records name their
 * group in the sort key of a verdict row (`v#<vantage>` / `n#<group>#<node>`); only verdict
 * rows matter (others are filtered upstream, and again here).
 * A scheduled event older than `maxEventAgeSeconds` is a late delivery and is dropped: a
 * fresher one is already on its way, and acting on an old tick helps nobody.
 */
export function parseArbiterEvent(event: unknown, config: ArbiterConfig, now: number): ArbiterTrigger {
  const known = new Set(config.groups.map((g) => g.id));
  if (isStream(event)) {
    const groups = new Set<string>();
    for (const r of event.Records) {
      const pk = r.dynamodb?.Keys?.pk?.S;
      const sk = r.dynamodb?.Keys?.sk?.S;
      const group = groupOfVerdictRow(pk, sk);
      if (group && known.has(group)) groups.add(group);
    }
    return { kind: 'stream', groups: [...groups] };
  }
  const input = (event ?? {}) as Partial<ScheduledInput> & { time?: string };
  if (input.time) {
    const at = Date.parse(input.time);
    if (!Number.isNaN(at) && now - at > config.arbiter.maxEventAgeSeconds * 1000) {
      return {
        kind: 'dropped',
        reason: `scheduled event from ${input.time} is ${Math.round((now - at) / 1000)} s old`,
      };
    }
  }
  if (input.group !== undefined) {
    if (!known.has(input.group))
      return { kind: 'dropped', reason: `unknown group ${JSON.stringify(input.group)}` };
    return { kind: 'schedule', groups: [input.group] };
  }
  return { kind: 'schedule', groups: [...known] };
}
