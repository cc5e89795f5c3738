import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { ControlResult } from '../../shared/ops/control';
import type { StatusReport } from '../../shared/ops/status';
import {
  associateCalls,
  instanceOf,
  type Running,
  sleep,
  snsEvents,
  stackPerTest,
  until,
  waitForAlerts,
} from './stack-helpers';

/** Invokes the `control` function of the local runtime, as `npm run invoke -- control '<json>'` does. */
async function control(running: Running, payload: Record<string, unknown>): Promise<ControlResult> {
  const result = await running.stack.runtime.invoke('control', { group: 'web-lb', ...payload });
  return result as ControlResult;
}

/**
 * A ban lasts at least a minute. To keep the test short, its expiry is brought forward in the
 * table, as if the minute had passed; the arbiter sees what it would see a minute later.
 */
async function expireBanNow(running: Running, node: string): Promise<void> {
  const { dynamo } = running.stack;
  await dynamo.client.send(
    new UpdateItemCommand({
      TableName: dynamo.tableName,
      Key: { pk: { S: 'g#web-lb' }, sk: { S: 'state' } },
      UpdateExpression: 'SET #b = :e',
      ConditionExpression: 'attribute_exists(#b)',
      ExpressionAttributeNames: { '#b': `ban:${node}` },
      ExpressionAttributeValues: { ':e': { N: String(Date.now() - 1) } },
    }),
  );
}

const events = (running: Running) => snsEvents(running).map((e) => e.message.attributes.event?.value);

describe('Operator controls over the local stack', () => {
  const start = stackPerTest();

  it('keeps the address off a banned standby, announces the end of the ban once, then fails over to it', async () => {
    const running = await start({ runtime: { reconcileEverySeconds: 2 } });
    const banned = await control(running, {
      action: 'ban',
      node: 'lb-2',
      expiresInMinutes: 1,
      reason: 'kernel update',
      requestedBy: 'e2e',
    });
    expect(banned).toMatchObject({ changed: true, state: { bans: [{ node: 'lb-2' }] } });
    expect(snsEvents(running, 'control')).toHaveLength(1);

    await running.stack.nodes.node(instanceOf(running, 'lb-1')).kill();
    const [alert] = await waitForAlerts(running, 'no-healthy-target', 1);
    expect(alert?.message.subject).toContain('NO HEALTHY TARGET, address left on lb-1');
    expect(alert?.message.message).toContain('lb-2: HEALTHY (up from 2/2 vantages) [banned]');
    expect(running.holder()).toBe('lb-1');
    expect(associateCalls(running)).toBe(0);

    await expireBanNow(running, 'lb-2');
    const [ended] = await waitForAlerts(running, 'ban-ended', 1);
    expect(ended?.message.subject).toMatch(
      /^\[ha-arbiter\] web-lb: ban on lb-2 ended.*; lb-2 is eligible again$/,
    );
    expect(ended?.message.message).toContain(`npx serverless invoke -f status --data '{"group":"web-lb"}'`);
    await until(() => running.holder() === 'lb-2', 10_000, 'the EIP on lb-2');
    const [failover] = await waitForAlerts(running, 'failover-succeeded', 1, 5_000);
    expect(failover?.message.subject).toMatch(/failed over lb-1 -> lb-2/);

    // More scheduled reconciles (every 2 s): nothing is told twice, nothing moves again.
    const [report] = await Promise.all([
      running.stack.runtime.invoke('status', { group: 'web-lb', history: 20 }) as Promise<StatusReport>,
      sleep(3_000),
    ]);
    expect(snsEvents(running, 'ban-ended')).toHaveLength(1);
    expect(snsEvents(running, 'no-healthy-target')).toHaveLength(1);
    expect(associateCalls(running)).toBe(1);
    const told = events(running);
    expect(told.indexOf('ban-ended')).toBeLessThan(told.indexOf('failover-succeeded'));
    expect(report.groups[0]?.history.filter((e) => e.event === 'ban-ended')).toHaveLength(1);
    expect(report.groups[0]?.bans).toEqual([]);
  }, 60_000);

  it('only observes while the group is paused, and acts at once when resumed', async () => {
    const running = await start();
    const paused = await control(running, { action: 'pause', reason: 'switch replacement' });
    expect(paused).toMatchObject({ changed: true, state: { paused: true } });

    await running.stack.nodes.node(instanceOf(running, 'lb-1')).kill();
    const [would] = await waitForAlerts(running, 'would-fail-over', 1);
    expect(would?.message.subject).toMatch(/would fail over lb-1 -> lb-2 \(group paused; /);
    await running.stack.runtime.invoke('arbiter', {
      source: 'ha-arbiter.schedule',
      time: new Date().toISOString(),
    });
    await sleep(1_500);
    // Readiness DryRuns (outcome dry-run) change nothing; no other mutating call was made.
    expect(running.stack.cloud.audit().filter((a) => a.outcome !== 'dry-run')).toEqual([]);
    expect(running.holder()).toBe('lb-1');

    const resumed = await control(running, { action: 'resume' });
    expect(resumed).toMatchObject({ changed: true, reconcile: { outcome: 'moved', to: 'lb-2' } });
    expect(running.holder()).toBe('lb-2');
    expect(associateCalls(running)).toBe(1);
    expect(snsEvents(running, 'would-fail-over')).toHaveLength(1);
  }, 60_000);
});
