import { DynamoDBStreamSchema } from '@aws-lambda-powertools/parser/schemas/dynamodb';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { z } from 'zod';
import { groupOfVerdictRow } from '../adapters/dynamo/keys';
import type { ArbiterConfig } from '../config/schema';
import { describeIssues } from '../config/zod-issues';
import { InputError } from '../domain/errors';

/** The `source` of the reconcile schedule's input (infra/functions.ts SCHEDULED_INPUT). */
export const SCHEDULE_SOURCE = 'ha-arbiter.schedule';

/**
 * The input the reconcile schedule sends (EventBridge Scheduler `Input`), or an operator's
 * invoke (`{"group":"web-lb"}`, or nothing). Strict: a misspelt key must not silently turn
 * into a reconcile of every group.
 */
export const ScheduledInputSchema = z.strictObject({
  source: z.literal(SCHEDULE_SOURCE).optional(),
  /** `<aws.scheduler.scheduled-time>`, ISO 8601. */
  time: z.iso.datetime({ offset: true }).optional(),
  group: z.string().min(1).optional(),
});
export type ScheduledInput = z.output<typeof ScheduledInputSchema>;

export type ArbiterTrigger =
  | { kind: 'stream'; groups: string[] }
  | { kind: 'schedule'; groups: string[] }
  | { kind: 'dropped'; reason: string };

/** What the event claims to be, by the one key each kind always has. */
function kindOf(event: object): 'stream' | 'eventbridge' | 'schedule' {
  if ('Records' in event) return 'stream';
  if ('detail-type' in event) return 'eventbridge';
  return 'schedule';
}

function parse<S extends z.ZodType>(schema: S, event: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(event);
  if (!parsed.success) throw new InputError(what, describeIssues(parsed.error, event));
  return parsed.data;
}

/**
 * A scheduled tick older than `maxEventAgeSeconds` is a late delivery: a fresher one is
 * already on its way, and acting on an old tick helps nobody.
 */
function tooOld(time: string | undefined, config: ArbiterConfig, now: number): string | undefined {
  if (time === undefined) return undefined;
  const at = Date.parse(time);
  if (now - at <= config.arbiter.maxEventAgeSeconds * 1000) return undefined;
  return `scheduled event from ${time} is ${Math.round((now - at) / 1000)} s old`;
}

/**
 * Turns an arbiter invocation event into the groups to reconcile. Three shapes, each parsed
 * with its schema:
 * - a DynamoDB stream batch (Powertools Parser's DynamoDBStreamSchema, keys unmarshalled):
 *   stream records name their group in the sort key of a verdict row (`v#<vantage>` /
 *   `n#<group>#<node>`); only verdict rows matter (others are filtered upstream, and again here);
 * - an EventBridge event (a scheduled rule, EventBridgeSchema): every group;
 * - the reconcile schedule's input or an operator's invoke (ScheduledInputSchema): the group
 *   it names, or every group.
 * `now` is the caller's clock (the container's AWS time), never Date.now.
 * A refused stream batch fails the invocation: the event source mapping retries it twice,
 * bisected, then skips it (serverless.yml), and the 1-minute reconcile covers its groups.
 * @throws InputError naming the field path and value of an event no schema accepts.
 */
export function parseArbiterEvent(event: unknown, config: ArbiterConfig, now: number): ArbiterTrigger {
  const known = new Set(config.groups.map((g) => g.id));
  const input = event ?? {};
  if (typeof input !== 'object') {
    throw new InputError('arbiter event', [`(root) = ${JSON.stringify(input)}: must be an object`]);
  }
  switch (kindOf(input)) {
    case 'stream': {
      const batch = parse(DynamoDBStreamSchema, input, 'arbiter stream event');
      const groups = new Set<string>();
      for (const r of batch.Records) {
        const keys = r.dynamodb.Keys as Record<string, unknown>;
        const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
        const group = groupOfVerdictRow(text(keys.pk), text(keys.sk));
        if (group && known.has(group)) groups.add(group);
      }
      return { kind: 'stream', groups: [...groups] };
    }
    case 'eventbridge': {
      const tick = parse(EventBridgeSchema, input, 'arbiter EventBridge event');
      const late = tooOld(tick.time, config, now);
      return late ? { kind: 'dropped', reason: late } : { kind: 'schedule', groups: [...known] };
    }
    case 'schedule': {
      const tick = parse(ScheduledInputSchema, input, 'arbiter scheduled event');
      const late = tooOld(tick.time, config, now);
      if (late) return { kind: 'dropped', reason: late };
      if (tick.group === undefined) return { kind: 'schedule', groups: [...known] };
      if (!known.has(tick.group))
        return { kind: 'dropped', reason: `unknown group ${JSON.stringify(tick.group)}` };
      return { kind: 'schedule', groups: [tick.group] };
    }
  }
}
