import { Ec2Error, ResourceNotFoundError, ThrottledError, UnauthorizedError } from '../../domain/errors';

const THROTTLE_CODES = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException']);
const AUTH_CODES = new Set(['UnauthorizedOperation', 'AuthFailure', 'AccessDenied', 'AccessDeniedException']);

/** The EC2 error code of an SDK error (`error.name`), or undefined for non-SDK errors. */
export function ec2Code(error: unknown): string | undefined {
  const e = error as { name?: string; Code?: string; $metadata?: unknown } | undefined;
  return e?.Code ?? (e?.$metadata !== undefined ? e?.name : undefined) ?? e?.name;
}

/**
 * Maps an EC2 SDK failure to a typed error; the only place that reads EC2 error codes.
 * @param what the call in words, e.g. `AssociateAddress eipalloc-1 -> eni-2`.
 */
export function mapEc2Error(error: unknown, what: string): Error {
  const code = ec2Code(error) ?? 'Unknown';
  const message = `${what}: ${code}: ${(error as Error)?.message ?? String(error)}`;
  if (code.endsWith('.NotFound') || code.endsWith('.Malformed')) {
    return new ResourceNotFoundError(code, message, { cause: error });
  }
  if (AUTH_CODES.has(code)) return new UnauthorizedError(code, message, { cause: error });
  if (THROTTLE_CODES.has(code)) return new ThrottledError(message, { cause: error });
  return new Ec2Error(code, message, { cause: error });
}

/** True for `DryRunOperation`: the call would have succeeded. */
export function isDryRunSuccess(error: unknown): boolean {
  return ec2Code(error) === 'DryRunOperation';
}
