import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { control as applyControl, type ControlResult } from '../shared/ops/control';
import type { CallerContext } from '../shared/ops/deps';
import { container } from '../shared/runtime/container';
import { emfMetrics, recordControl } from '../shared/runtime/metrics';
import { lambdaHandler } from '../shared/runtime/middleware';

/** EMF metrics of this container: a failed move after a ban raises the failed-failover alarm. */
const metrics = emfMetrics();

/**
 * Ban/unban a node, pause/resume a group, reset the breaker:
 * `npx serverless invoke -f control --data '{"group":"web-lb","action":"ban","node":"lb-1","expiresInMinutes":60}'`.
 */
export async function control(
  event: unknown,
  context?: Partial<Pick<Context, 'awsRequestId'>> & CallerContext,
): Promise<ControlResult> {
  const c = container();
  const owner = `control-${context?.awsRequestId ?? randomUUID()}`;
  const result = await applyControl({ ...c.arbiterDeps(owner), store: c.store }, event, context);
  recordControl(metrics, result);
  return result;
}

export const handler = lambdaHandler(control, { logger: container().logger, metrics });
