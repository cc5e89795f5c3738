import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { CallerContext } from '../shared/ops/deps';
import { type DrillResult, drill as runDrill } from '../shared/ops/drill';
import { container } from '../shared/runtime/container';
import { CorrelationPath, lambdaHandler } from '../shared/runtime/middleware';

/**
 * Failover drill: `npx serverless invoke -f drill --data '{"group":"web-lb"}'` (add
 * `"stay": true` to leave the address on the standby). Also started by a group's drill schedule.
 */
export async function drill(
  event: unknown,
  context?: Partial<Pick<Context, 'awsRequestId'>> & CallerContext,
): Promise<DrillResult> {
  const c = container();
  const owner = `drill-${context?.awsRequestId ?? randomUUID()}`;
  return runDrill({ ...c.arbiterDeps(owner), store: c.store }, event, context);
}

export const handler = lambdaHandler(drill, {
  logger: container().logger,
  correlationIdPath: CorrelationPath.DRILL,
});
