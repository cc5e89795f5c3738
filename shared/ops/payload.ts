import { z } from 'zod';
import type { ArbiterConfig, GroupConfig, NodeConfig } from '../config/schema';
import { describeIssues, show } from '../config/zod-issues';
import { InputError } from '../domain/errors';

/*
 * Invoke payloads of the operator functions. Strict: an unknown field is an error (a typo such
 * as `"froce": true` must not silently do an unforced failover). Group and node ids are checked
 * against the config afterwards, so the error can list the valid choices.
 */

const name = z.string().min(1).max(63);
const reason = z.string().min(1).max(500);
const requestedBy = z.string().min(1).max(128);

/** `failover` payload. */
export const FailoverPayloadSchema = z.strictObject({
  group: name,
  /** Target node; default: the best healthy standby. */
  to: name.optional(),
  reason: reason.optional(),
  /** Move even to a node that is not HEALTHY by quorum. */
  force: z.boolean().default(false),
  /** Return the plan; take no lease, call no mutating API, notify nobody. */
  dryRun: z.boolean().default(false),
  requestedBy: requestedBy.optional(),
});
export type FailoverPayload = z.output<typeof FailoverPayloadSchema>;

/** `status` payload. */
export const StatusPayloadSchema = z.strictObject({
  /** One group; default: every group. */
  group: name.optional(),
  format: z.enum(['text', 'json']).default('json'),
  /** How many recent history events per group. */
  history: z.int().min(0).max(100).default(10),
});
export type StatusPayload = z.output<typeof StatusPayloadSchema>;

/** What `control` can do to a group. */
export const ControlAction = {
  BAN: 'ban',
  UNBAN: 'unban',
  PAUSE: 'pause',
  RESUME: 'resume',
  RESET: 'reset',
} as const;
export type ControlAction = (typeof ControlAction)[keyof typeof ControlAction];

/** `control` payload. */
export const ControlPayloadSchema = z.strictObject({
  group: name,
  action: z.enum([
    ControlAction.BAN,
    ControlAction.UNBAN,
    ControlAction.PAUSE,
    ControlAction.RESUME,
    ControlAction.RESET,
  ]),
  /** The node to ban or unban. */
  node: name.optional(),
  /** A ban ends on its own after this many minutes (at most a year); without it, it lasts until unban. */
  expiresInMinutes: z.int().min(1).max(525_600).optional(),
  reason: reason.optional(),
  requestedBy: requestedBy.optional(),
});
export type ControlPayload = z.output<typeof ControlPayloadSchema>;

const MAX_ISSUES = 8;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/**
 * Parses an invoke payload. Accepts the object Lambda hands over or a JSON string (what
 * `serverless invoke --data` passes when the text is not valid JSON, or a raw CLI argument).
 * @throws InputError naming each bad field, the value given and the valid choices.
 */
export function parsePayload<S extends z.ZodObject>(schema: S, input: unknown, what: string): z.output<S> {
  let value = input;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch (error) {
      throw new InputError(what, [
        `the payload is not valid JSON (${(error as Error).message.slice(0, 80)}): ${show(input, 40)}`,
      ]);
    }
  }
  if (value === undefined) value = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(what, [
      `the payload must be a JSON object such as {"group":"..."}, not ${kindOf(value)}`,
    ]);
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = describeIssues(parsed.error, value, {
    validKeys: Object.keys(schema.shape),
    firstPerField: true,
  });
  const shown = issues.slice(0, MAX_ISSUES);
  if (issues.length > MAX_ISSUES) shown.push(`... and ${issues.length - MAX_ISSUES} more`);
  throw new InputError(what, shown);
}

/**
 * Finds a group of the config by id.
 * @throws InputError listing the groups there are.
 */
export function resolveGroup(config: ArbiterConfig, id: string, what: string): GroupConfig {
  const group = config.groups.find((g) => g.id === id);
  if (!group) {
    throw new InputError(what, [
      `group = ${show(id)}: no such group (valid: ${config.groups.map((g) => g.id).join(', ')})`,
    ]);
  }
  return group;
}

/**
 * Finds a node of a group by id.
 * @throws InputError listing the group's nodes.
 */
export function resolveNode(group: GroupConfig, id: string, field: string, what: string): NodeConfig {
  const node = group.nodes.find((n) => n.id === id);
  if (!node) {
    throw new InputError(what, [
      `${field} = ${show(id)}: not a node of group ${group.id} (valid: ${group.nodes.map((n) => n.id).join(', ')})`,
    ]);
  }
  return node;
}
