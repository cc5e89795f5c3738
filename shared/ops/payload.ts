import { z } from 'zod';
import { formatPath } from '../config/load';
import type { ArbiterConfig, GroupConfig, NodeConfig } from '../config/schema';
import { InputError } from '../errors';

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

/** A value as it appears in an error: JSON, cut short so a huge string cannot flood the message. */
export function show(value: unknown, max = 60): string {
  if (value === undefined) return 'missing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function valueAt(input: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = input;
  for (const part of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (!Object.hasOwn(cur, part)) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[part];
  }
  return cur;
}

function describe(issue: z.core.$ZodIssue, input: unknown, fields: readonly string[]): string[] {
  const at = formatPath(issue.path);
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => `${show(k, 40)}: unknown field (valid fields: ${fields.join(', ')})`);
    case 'invalid_value':
      return [`${at} = ${show(value)}: must be one of ${issue.values.map((v) => String(v)).join(', ')}`];
    case 'invalid_type':
      if (value === undefined) return [`${at} is required (${issue.expected})`];
      return [
        `${at} = ${show(value)}: must be ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`}`,
      ];
    case 'too_small':
      if (issue.origin === 'string') {
        return [
          `${at} = ${show(value)}: ${Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`}`,
        ];
      }
      return [`${at} = ${show(value)}: must be at least ${issue.minimum}`];
    case 'too_big':
      if (issue.origin === 'string') {
        return [
          `${at} = ${show(value)}: must be at most ${issue.maximum} characters (got ${String(value).length})`,
        ];
      }
      return [`${at} = ${show(value)}: must be at most ${issue.maximum}`];
    default:
      return [`${at} = ${show(value)}: ${issue.message}`];
  }
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
  const fields = Object.keys(schema.shape);
  // zod runs a field's checks even after its type check failed (`[]` for a string gets "too
  // small" too); the first issue of each field is the one that explains it.
  const seen = new Set<string>();
  const firstPerField = parsed.error.issues.filter((i) => {
    if (i.code === 'unrecognized_keys') return true;
    const key = formatPath(i.path);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const issues = firstPerField.flatMap((i) => describe(i, value, fields));
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
