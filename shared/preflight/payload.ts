import { z } from 'zod';
import { describeIssues } from '../config/zod-issues';
import { InputError } from '../domain/errors';

/** The `preflight` function's invoke payload; every field is optional. */
export const PreflightPayloadSchema = z.strictObject({
  /** Only these groups (default: all). */
  groups: z.array(z.string().min(1).max(63)).min(1).optional(),
  /** Subnets the arbiter runs in (default: from ARBITER_SUBNETS, else outside the VPC). */
  arbiterSubnets: z
    .array(z.string().regex(/^subnet-[0-9a-zA-Z]+$/, 'must look like subnet-0123abcd'))
    .optional(),
  /** Private IPv4 addresses per ENI by ENI id or instance type. */
  eniLimits: z.record(z.string().min(1), z.int().min(1).max(100)).optional(),
  skipDryRun: z.boolean().default(false),
  format: z.enum(['json', 'text']).default('json'),
  /** With format text: list passed checks too. */
  verbose: z.boolean().default(false),
});
export type PreflightPayload = z.output<typeof PreflightPayloadSchema>;

/**
 * Parses a preflight payload (an empty or missing payload means all defaults).
 * @throws InputError naming each bad field and value.
 */
export function parsePreflightPayload(event: unknown): PreflightPayload {
  const input = event === undefined || event === null || event === '' ? {} : event;
  const parsed = PreflightPayloadSchema.safeParse(input);
  if (!parsed.success) throw new InputError('preflight payload', describeIssues(parsed.error, input));
  return parsed.data;
}
