import { status as groupsStatus, type StatusReport } from '../shared/ops/status';
import { container } from '../shared/runtime/container';
import { lambdaHandler } from '../shared/runtime/middleware';

/**
 * Status of every group (or one): `npx serverless invoke -f status --data '{"format":"text"}'`.
 * JSON by default (for scripts); `format: "text"` returns a table as one string.
 */
export async function status(event: unknown): Promise<StatusReport | string> {
  const c = container();
  return groupsStatus({ ...c.arbiterDeps('status'), store: c.store }, event);
}

export const handler = lambdaHandler(status, { logger: container().logger });
