import { Readable } from 'node:stream';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { measureClockSkew } from '../../../shared/adapters/aws/clients';
import { ClockSkew, SKEW_TRUSTED_MS } from '../../../shared/domain/clock-skew';
import { EventType } from '../../../shared/domain/constants';
import { silentLog } from '../../../shared/ports/log';
import { CLOCK_SKEW_REMIND_MS, clockSkewHolds } from '../../../shared/usecases/alerts';
import { newContainerMemory } from '../../../shared/usecases/deps';
import { reconcileGroup } from '../../../shared/usecases/reconcile';
import { fakeClock } from '../../helpers/clock';
import { makeConfig } from '../../helpers/config';
import { FakeCloud } from '../../helpers/fake-cloud';
import { MemoryStore } from '../../helpers/memory-store';
import { RecordingNotifier } from '../../helpers/notifier';
import { fromAll } from '../../helpers/verdicts';

const AWS_NOW = Date.parse('2026-12-03T12:00:00Z');
const httpDate = (ms: number) => new Date(ms).toUTCString();

describe('ClockSkew', () => {
  it('reports only the skew a response proves, not the header rounding or the round trip', () => {
    let local = AWS_NOW + 900;
    const skew = new ClockSkew(() => local);
    const sent = skew.sending();
    local += 300;
    skew.observe(sent, httpDate(AWS_NOW));
    expect(skew.skewMs).toBe(0);
  });

  it('proves a clock 30 s ahead and one 5 s behind', () => {
    let local = AWS_NOW + 30_000;
    const ahead = new ClockSkew(() => local);
    const sent = ahead.sending();
    local += 100;
    ahead.observe(sent, httpDate(AWS_NOW));
    expect(ahead.skewMs).toBe(29_000);
    const behind = new ClockSkew(() => AWS_NOW - 5_000);
    behind.observe(behind.sending(), httpDate(AWS_NOW));
    expect(behind.skewMs).toBe(-5_000);
  });

  it('reads AWS time within a second whatever the offset, once a response proved it', () => {
    for (const offset of [30_000, -45_000, 700]) {
      let local = AWS_NOW + offset;
      const skew = new ClockSkew(() => local);
      expect(skew.awsNow()).toBe(local);
      const sent = skew.sending();
      local += 120;
      skew.observe(sent, httpDate(AWS_NOW));
      const error = skew.awsNow() - (AWS_NOW + 120);
      expect(Math.abs(error)).toBeLessThanOrEqual(1_120);
    }
  });

  it('stops correcting the clock five minutes after the answer that proved the skew', () => {
    let local = AWS_NOW - 30_000;
    let mono = 0;
    const skew = new ClockSkew(
      () => local,
      () => mono,
    );
    skew.observe(skew.sending(), httpDate(AWS_NOW));
    expect(skew.awsNow()).toBe(AWS_NOW);
    // The host's clock is set right; no AWS answer comes for five minutes.
    mono += SKEW_TRUSTED_MS;
    local = AWS_NOW + SKEW_TRUSTED_MS;
    expect(skew.awsNow()).toBe(local + 30_000);
    mono += 1;
    expect(skew.awsNow()).toBe(local);
  });

  it('is unknown before any response and ignores a response without a Date header', () => {
    const skew = new ClockSkew(() => AWS_NOW);
    skew.observe(AWS_NOW, undefined);
    expect(skew.skewMs).toBeUndefined();
  });

  it('is measured by a middleware on an SDK client from the Date header of its responses', async () => {
    const skew = new ClockSkew(() => AWS_NOW + 20_000);
    const client = measureClockSkew(
      new DynamoDBClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        requestHandler: {
          handle: async () => ({
            // An HTTP response as the handler hands it over (the shape of @smithy's HttpResponse).
            response: {
              statusCode: 200,
              headers: { date: httpDate(AWS_NOW), 'content-type': 'application/x-amz-json-1.0' },
              body: Readable.from([Buffer.from('{"Table":{"TableName":"t"}}')]),
            },
          }),
        },
      }),
      skew,
    );
    await client.send(new DescribeTableCommand({ TableName: 't' }));
    expect(skew.skewMs).toBe(19_000);
  });
});

describe('An arbiter whose clock is off AWS by more than the bound', () => {
  it('holds its automatic moves and says so once', async () => {
    const config = makeConfig((raw) => {
      raw.groups[0]!.policy = { cooldownSeconds: 60 };
    });
    const group = config.groups[0]!;
    const store = new MemoryStore();
    const cloud = new FakeCloud();
    cloud.place(group, 'lb-1');
    const notifier = new RecordingNotifier();
    const clock = fakeClock();
    const deps = {
      config,
      store,
      cloud,
      notifier,
      owner: 'arbiter-fast',
      now: clock.now,
      log: silentLog,
      memory: newContainerMemory(),
      clockSkewMs: () => 30_000,
    };
    for (const [node, status] of [
      ['lb-1', 'DOWN'],
      ['lb-2', 'UP'],
    ] as const) {
      for (const v of fromAll(group.vantages, node, status, clock.now())) await store.putVerdict(v);
    }
    expect(await reconcileGroup(deps, group)).toMatchObject({ outcome: 'held', detail: 'clock skew' });
    expect(await reconcileGroup(deps, group)).toMatchObject({ outcome: 'held' });
    expect(cloud.mutations).toEqual([]);
    expect(notifier.of(EventType.CLOCK_SKEW)).toHaveLength(1);
    expect(notifier.of(EventType.CLOCK_SKEW)[0]?.subject).toContain('30.0 s ahead of AWS');
    // Back within the bound: it moves.
    const fine = { ...deps, clockSkewMs: () => 500 };
    expect(await reconcileGroup(fine, group)).toMatchObject({ outcome: 'moved', to: 'lb-2' });
  });

  it('is closed only by the container that opened it, or by any an hour later, so it is not said twice', async () => {
    const config = makeConfig();
    const group = config.groups[0]!;
    const store = new MemoryStore();
    const notifier = new RecordingNotifier();
    const clock = fakeClock();
    const container = (owner: string, skewMs: number) => ({
      config,
      store,
      cloud: new FakeCloud(),
      notifier,
      owner,
      now: clock.now,
      log: silentLog,
      memory: newContainerMemory(),
      clockSkewMs: () => skewMs,
    });
    const skewed = container('arbiter-skewed', 30_000);
    const good = container('arbiter-good', 0);
    const holds = async (deps: typeof good) => clockSkewHolds(deps, group, await store.readGroup(group.id));
    expect(await holds(skewed)).toBe(true);
    // The good container leaves the other's alert open: the skewed one does not say it again.
    expect(await holds(good)).toBe(false);
    clock.advance(60_000);
    expect(await holds(skewed)).toBe(true);
    expect(notifier.of(EventType.CLOCK_SKEW)).toHaveLength(1);
    // An hour on (the skewed container may be gone): cleared, and said again while it lasts.
    clock.advance(CLOCK_SKEW_REMIND_MS);
    expect(await holds(good)).toBe(false);
    expect(await holds(skewed)).toBe(true);
    expect(notifier.of(EventType.CLOCK_SKEW)).toHaveLength(2);
    // Its own container, back within the bound, closes it at once.
    skewed.clockSkewMs = () => 100;
    expect(await holds(skewed)).toBe(false);
    expect((await store.readGroup(group.id)).state.alerts['clock-skew']).toBeUndefined();
  });
});
