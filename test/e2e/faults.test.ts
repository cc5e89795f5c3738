import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import {
  associateCalls,
  instanceOf,
  type Running,
  sleep,
  snsEvents,
  startSteady,
  until,
} from './stack-helpers';

describe('The local stack under faults', () => {
  let running: Running | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });

  it('still fails over exactly once when half of all EC2 calls are throttled', async () => {
    // A reconcile whose calls stay throttled after the SDK's retries fails and is tried again
    // by the next one (every minute when deployed; every 2 s here to keep the test short).
    running = await startSteady({ runtime: { reconcileEverySeconds: 2 } });
    running.stack.cloud.faults.set({ throttleRate: 0.5 });
    await running.stack.nodes.node(instanceOf(running, 'lb-1')).kill();
    await until(() => running!.holder() === 'lb-2', 45_000, 'the EIP on lb-2');
    await until(() => snsEvents(running!, 'failover-succeeded').length === 1, 10_000, 'the failover alert');
    expect(associateCalls(running)).toBe(1);
    const throttled = running.stack.cloud
      .audit()
      .filter((a) => a.errorCode === 'RequestLimitExceeded').length;
    expect(throttled + associateCalls(running)).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('moves nothing while DynamoDB is down, alerts once, and recovers when it is back', async () => {
    running = await startSteady({ runtime: { reconcileEverySeconds: 2 } });
    running.stack.dynamo.setAvailable(false);
    await running.stack.nodes.node(instanceOf(running, 'lb-1')).kill();
    await until(() => snsEvents(running!, 'store-unavailable').length >= 1, 30_000, 'the store alert');
    await sleep(4_000);
    expect(associateCalls(running)).toBe(0);
    expect(running.holder()).toBe('lb-1');
    const downAlerts = snsEvents(running, 'store-unavailable').filter((e) =>
      e.message.subject?.includes('UNREACHABLE'),
    );
    expect(downAlerts).toHaveLength(1);
    running.stack.dynamo.setAvailable(true);
    await until(() => running!.holder() === 'lb-2', 40_000, 'the failover after recovery');
    expect(associateCalls(running)).toBe(1);
    expect(
      snsEvents(running, 'store-unavailable').some((e) => e.message.subject?.includes('reachable again')),
    ).toBe(true);
  }, 90_000);

  it('finishes a failover whose arbiter was killed in the middle of the move', async () => {
    running = await startSteady({
      config: 'test/e2e/fixtures/short-lease.arbiter.yml',
      runtime: { reconcileEverySeconds: 2 },
    });
    // A slow AssociateAddress gives time to kill the arbiter while the move is in flight.
    running.stack.cloud.faults.set({ latencyMs: { AssociateAddress: 2_000 } });
    await running.stack.nodes.node(instanceOf(running, 'lb-1')).kill();
    await running.watcher.waitFor((e): e is never => e.kind === 'lease' && e.owner !== undefined, 20_000);
    await sleep(300);
    await running.stack.runtime.kill('arbiter');
    // The dead arbiter's lease (10 s) expires; a later reconcile finishes or adopts the move.
    await until(() => running!.holder() === 'lb-2', 40_000, 'the EIP on lb-2');
    const { stack } = running;
    await until(
      () => recordedActive(running!) === 'lb-2',
      40_000,
      'the move recorded in DynamoDB',
      async () => {
        lastRecorded = await readActive(stack);
      },
    );
    expect(associateCalls(running)).toBeGreaterThanOrEqual(1);
  }, 90_000);
});

let lastRecorded: string | undefined;
function recordedActive(_running: Running): string | undefined {
  return lastRecorded;
}

async function readActive(stack: Running['stack']): Promise<string | undefined> {
  const out = await stack.dynamo.client.send(
    new GetItemCommand({
      TableName: stack.dynamo.tableName,
      Key: { pk: { S: 'g#web-lb' }, sk: { S: 'state' } },
      ConsistentRead: true,
    }),
  );
  return out.Item?.active?.S;
}
