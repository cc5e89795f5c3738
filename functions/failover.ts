import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { CallerContext } from '../shared/ops/deps';
import { type ManualFailoverResult, manualFailover } from '../shared/ops/manual-failover';
import { container } from '../shared/runtime/container';
import { emfMetrics, recordManualFailover } from '../shared/runtime/metrics';
import { lambdaHandler } from '../shared/runtime/middleware';

/** EMF metrics of this container: a failed manual move raises the same alarm as an automatic one. */
const metrics = emfMetrics();

/**
 * Manual failover:
 * `npx serverless invoke -f failover --data '{"group":"web-lb","to":"lb-2","reason":"patching lb-1"}'`.
 * The lease owner is named after the request so `status` shows a manual move in progress.
 */
export async function failover(
  event: unknown,
  context?: Partial<Pick<Context, 'awsRequestId'>> & CallerContext,
): Promise<ManualFailoverResult> {
  const c = container();
  const owner = `manual-${context?.awsRequestId ?? randomUUID()}`;
  const result = await manualFailover({ ...c.arbiterDeps(owner), store: c.store }, event, context);
  recordManualFailover(metrics, result);
  return result;
}

export const handler = lambdaHandler(failover, { logger: container().logger, metrics });
