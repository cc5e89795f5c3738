import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ArbiterLogger, correlationSearch } from '../../../shared/runtime/logger';
import { EmfMetrics, MetricName } from '../../../shared/runtime/metrics';
import { CorrelationPath, lambdaHandler } from '../../../shared/runtime/middleware';

function lambdaContext(awsRequestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'ha-arbiter-ci-arbiter',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:ha-arbiter-ci-arbiter',
    memoryLimitInMB: '256',
    awsRequestId,
    logGroupName: '/aws/lambda/ha-arbiter-ci-arbiter',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The JSON lines the logger wrote to stderr, and the EMF lines Powertools wrote to the console. */
function capture() {
  const logs: Record<string, unknown>[] = [];
  const emf: Record<string, unknown>[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    logs.push(JSON.parse(String(chunk)) as Record<string, unknown>);
    return true;
  });
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.spyOn(console, 'log').mockImplementation((text: unknown) => {
    emf.push(JSON.parse(String(text)) as Record<string, unknown>);
  });
  return { logs, emf };
}

describe('correlationSearch', () => {
  it('reads fields and array indexes, taking the first alternative that has a value', () => {
    const path = 'Records[0].eventID || id || time';
    expect(correlationSearch(path, { Records: [{ eventID: 'e-1' }, { eventID: 'e-2' }] })).toBe('e-1');
    expect(correlationSearch(path, { id: 'ev-1', time: '2025-01-01T12:00:00Z' })).toBe('ev-1');
    expect(correlationSearch(path, { source: 'ha-arbiter.schedule', time: '2025-01-01T12:00:00Z' })).toBe(
      '2025-01-01T12:00:00Z',
    );
  });

  it('finds nothing in an event without the fields, an empty batch or no event', () => {
    expect(correlationSearch(CorrelationPath.ARBITER, { group: 'web-lb' })).toBeUndefined();
    expect(correlationSearch(CorrelationPath.ARBITER, { Records: [] })).toBeUndefined();
    expect(correlationSearch(CorrelationPath.SNS, undefined)).toBeUndefined();
    expect(correlationSearch(CorrelationPath.PROBE, { time: '' })).toBeUndefined();
  });
});

describe('lambdaHandler', () => {
  let logs: Record<string, unknown>[];
  let emf: Record<string, unknown>[];
  beforeEach(() => {
    ({ logs, emf } = capture());
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it('tags every line of an invocation with the correlation id its event carries, then forgets it', async () => {
    const logger = new ArbiterLogger(
      { serviceName: 'ha-arbiter', correlationIdSearchFn: correlationSearch },
      true,
    );
    const handler = lambdaHandler(async (_event: unknown) => logger.info('tick'), {
      logger,
      correlationIdPath: CorrelationPath.ARBITER,
    });
    await handler({ Records: [{ eventID: 'stream-1' }] }, lambdaContext('req-1'));
    await handler({ source: 'ha-arbiter.schedule', time: '2025-01-01T12:00:00Z' }, lambdaContext('req-2'));
    await handler({ group: 'web-lb' }, lambdaContext('req-3'));
    expect(logs.map((l) => [l.correlation_id, l.function_request_id])).toEqual([
      ['stream-1', 'req-1'],
      ['2025-01-01T12:00:00Z', 'req-2'],
      // An operator's invoke carries no id: the request id stands in.
      ['req-3', 'req-3'],
    ]);
  });

  it('writes the metrics an invocation added once, at its end, also when it throws', async () => {
    const logger = new ArbiterLogger({ serviceName: 'ha-arbiter' }, true);
    const metrics = new EmfMetrics({ serviceName: 'ha-arbiter-ci' });
    const handler = lambdaHandler(
      async (event: { fail?: boolean }) => {
        metrics.add(MetricName.FAILOVERS, 1, { group: 'web-lb' });
        metrics.add(MetricName.FAILED_FAILOVERS, 1);
        // Nothing goes out before the invocation ends.
        expect(emf).toHaveLength(event.fail ? 2 : 0);
        if (event.fail) throw new Error('EC2 refused');
        return 'done';
      },
      { logger, metrics },
    );
    await expect(handler({}, lambdaContext('req-1'))).resolves.toBe('done');
    expect(emf).toHaveLength(2);
    await expect(handler({ fail: true }, lambdaContext('req-2'))).rejects.toThrow('EC2 refused');
    expect(emf).toHaveLength(4);
    expect(emf.map((l) => [l.group, l.Failovers, l.FailedFailovers])).toEqual([
      ['web-lb', 1, undefined],
      [undefined, undefined, 1],
      ['web-lb', 1, undefined],
      [undefined, undefined, 1],
    ]);
  });

  it('writes no metric line and no warning for an invocation that added none', async () => {
    const logger = new ArbiterLogger({ serviceName: 'ha-arbiter' }, true);
    const metrics = new EmfMetrics({ serviceName: 'ha-arbiter-ci' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const handler = lambdaHandler(async () => 'quiet', { logger, metrics });
    await handler({}, lambdaContext('req-1'));
    expect(emf).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
    expect(logs.filter((l) => l.level === 'WARN')).toEqual([]);
  });
});
