import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Metrics as PowertoolsMetrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

/**
 * Where each kind of event carries the id that ties the log lines of one tick or one message
 * together (the logger's `correlation_id`; paths in the logger's search syntax,
 * shared/runtime/logger.ts correlationSearch, Powertools JMESPath).
 */
export const CorrelationPath = {
  /**
   * The arbiter's events: a stream batch by its first record's eventID, an EventBridge event
   * by its id, the reconcile schedule's input by its scheduled time (late or duplicate
   * deliveries of one tick then read together).
   */
  ARBITER: 'Records[0].eventID || id || time',
  /** A prober's scheduled input; each tick of its loop then sets its own (functions/probe.ts). */
  PROBE: 'time',
  /** An SNS delivery: its message id, the same in every subscriber of the topic. */
  SNS: 'Records[0].Sns.MessageId',
  /** A drill started by its schedule: the scheduled time. */
  DRILL: 'scheduledTime',
} as const;
export type CorrelationPath = (typeof CorrelationPath)[keyof typeof CorrelationPath];

/**
 * An operator's invoke carries no id of its own: the Lambda request id becomes the
 * correlation id, so that every event kind has one.
 */
function requestIdFallback(logger: Logger): MiddlewareObj<unknown, unknown, Error, Context> {
  return {
    before: ({ context }) => {
      if (logger.getCorrelationId() === undefined && context?.awsRequestId) {
        logger.setCorrelationId(context.awsRequestId);
      }
    },
  };
}

/**
 * The middy chain every function runs in: the logger gets the Lambda context and the
 * correlation id (`correlationIdPath`, else the request id) and is reset after each
 * invocation; with `metrics`, Powertools' `logMetrics` writes what the invocation added, also
 * when it throws.
 */
export function lambdaHandler<E, R>(
  fn: (event: E, context: Context) => Promise<R>,
  options: { logger: Logger; correlationIdPath?: CorrelationPath; metrics?: PowertoolsMetrics },
) {
  const { logger, correlationIdPath, metrics } = options;
  const handler = middy(fn)
    .use(
      injectLambdaContext(logger, { resetKeys: true, ...(correlationIdPath ? { correlationIdPath } : {}) }),
    )
    .use(requestIdFallback(logger));
  return metrics ? handler.use(logMetrics(metrics)) : handler;
}
