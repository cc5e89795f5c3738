import { describe, expect, it } from 'vitest';
import { alternatives } from '../../bench/cost/alternatives';
import {
  continuousMetricSeries,
  estimateMonthlyCost,
  eventMetricHoursPerFailover,
  type Usage,
} from '../../bench/cost/model';
import { PRICES } from '../../bench/cost/prices';
import { proberSecondsPerInvocation } from '../../bench/cost/prober-seconds';

const usage: Usage = {
  proberMemoryMb: 128,
  arbiterMemoryMb: 256,
  proberSeconds: (i) => (i >= 60 ? 0.1 : 55),
  arbiterSeconds: 0.35,
  heartbeatSeconds: 30,
  failoversPerGroupMonth: 1,
  perFailover: { tableWrites: 14, arbiterWakeups: 4, snsMessages: 2 },
  logBytes: { proberFixed: 1_300, proberPerGroup: 900, arbiterFixed: 360, arbiterPerGroup: 500 },
};
const cost = (groups: number, intervalSeconds = 5, arch: 'arm64' | 'x86_64' = 'arm64') =>
  estimateMonthlyCost({ groups, vantages: 2, intervalSeconds, arch }, usage);

describe('estimateMonthlyCost', () => {
  it('bills two 128 MB arm64 probers looping 55 s a minute at about $8 a month', () => {
    const probers = cost(1).lines.find((l) => l.item.startsWith('probers'));
    expect(probers?.quantity).toBeCloseTo(2 * 730 * 60 * 0.125 * 55, 0);
    expect(probers?.usd).toBeCloseTo(8.03, 2);
  });

  it('charges x86_64 a quarter more per GB-s than arm64', () => {
    const arm = cost(1).lines[0]?.usd ?? 0;
    const x86 = cost(1, 5, 'x86_64').lines[0]?.usd ?? 0;
    expect(x86 / arm).toBeCloseTo(PRICES.lambda.x86GbSecond / PRICES.lambda.arm64GbSecond, 5);
  });

  it('writes one heartbeat per vantage every 30 s, whatever the groups, and nothing per probe', () => {
    const hb = cost(1).lines.find((l) => l.item.startsWith('heartbeats'));
    expect(hb?.quantity).toBe(2 * 120 * 730);
    expect(cost(1, 2).lines.find((l) => l.item.startsWith('heartbeats'))?.quantity).toBe(hb?.quantity);
    expect(cost(50).lines.find((l) => l.item.startsWith('heartbeats'))?.quantity).toBe(hb?.quantity);
  });

  it('counts no continuous metric series by default, and seven alarms, whatever the groups', () => {
    const metrics = (c: ReturnType<typeof cost>) => c.lines.find((l) => l.item.startsWith('custom metrics'));
    const alarms = (c: ReturnType<typeof cost>) => c.lines.find((l) => l.item.startsWith('alarms'));
    // Only the hours of the event series one failover a month publishes (Failovers,
    // FailoverDurationMs, LeaseContention, and VerdictChanges down and up per vantage),
    // prorated over the month's 730 hours: the arbiter watches the vantages' heartbeats.
    expect(continuousMetricSeries(2)).toBe(0);
    expect(eventMetricHoursPerFailover(2)).toBe(7);
    expect(metrics(cost(1))?.quantity).toBeCloseTo(7 / 730, 9);
    expect(metrics(cost(50))?.quantity).toBeCloseTo((50 * 7) / 730, 9);
    // The arbiter's missing Invocations; Errors of arbiter, failover, control and notify-slack;
    // FailedFailovers and GroupsNotReady (series sent only when above zero).
    expect(alarms(cost(1))?.quantity).toBe(7);
    expect(alarms(cost(50))?.quantity).toBe(7);
  });

  it('with metrics: detailed, adds ProbeLatency and ProberHeartbeat per vantage and their alarms', () => {
    const detailed = estimateMonthlyCost(
      { groups: 1, vantages: 2, intervalSeconds: 5, arch: 'arm64', metrics: 'detailed' },
      usage,
    );
    expect(continuousMetricSeries(2, 'detailed')).toBe(4);
    expect(detailed.lines.find((l) => l.item.startsWith('custom metrics'))?.quantity).toBeCloseTo(
      4 + 7 / 730,
      9,
    );
    // Plus a heartbeat alarm per vantage and ReconcileErrors.
    expect(detailed.lines.find((l) => l.item.startsWith('alarms'))?.quantity).toBe(10);
    expect(detailed.totalUsd - cost(1).totalUsd).toBeCloseTo(4 * 0.3 + 3 * 0.1, 9);
  });

  it('stays within $9.50 a month for one group, two vantages, 5 s, all in', () => {
    expect(cost(1).totalUsd).toBeLessThanOrEqual(9.5);
  });

  it('adds per group only its reads, logs and a few hours of event metrics: under $0.10', () => {
    const one = cost(1);
    const two = cost(2);
    const diff = (item: string) =>
      (two.lines.find((l) => l.item.startsWith(item))?.usd ?? 0) -
      (one.lines.find((l) => l.item.startsWith(item))?.usd ?? 0);
    expect(diff('custom metrics')).toBeCloseTo((7 / 730) * PRICES.cloudwatch.metricMonth, 9);
    expect(diff('alarms')).toBe(0);
    expect(diff('heartbeats')).toBe(0);
    expect(diff('probers')).toBe(0);
    // Per arbiter invocation and group, the group's partition and its two vantages' heartbeats;
    // per prober invocation and group, its verdicts (the model's arbiter invocations include
    // the 4 stream wake-ups of each group's failover).
    const reads = (c: ReturnType<typeof cost>) => c.lines.find((l) => l.item.startsWith('consistent reads'));
    const arbiter = (groups: number) => 730 * 60 + 4 * groups;
    // Per group and reconcile: 2 heartbeats, the state item, 2 vantages x 2 nodes of verdicts;
    // per prober invocation one Query of its partition (a few small rows: one unit).
    expect(reads(one)?.quantity).toBe(arbiter(1) * 7 + 2 * 730 * 60);
    expect(reads(two)?.quantity).toBe(2 * arbiter(2) * 7 + 2 * 730 * 60);
    expect(two.totalUsd - one.totalUsd).toBeLessThan(0.1);
  });

  it('splits the total into core and observability, and the free tier never pays more than a line costs', () => {
    const c = cost(10);
    expect(c.coreUsd + c.observabilityUsd).toBeCloseTo(c.totalUsd, 9);
    for (const l of c.lines) expect(l.freeUsd).toBeLessThanOrEqual(l.usd);
    expect(c.totalAfterFreeTierUsd).toBeLessThan(c.totalUsd);
  });

  it('costs almost nothing in Lambda when probing once a minute', () => {
    const c = cost(1, 60);
    expect(c.lines[0]?.usd).toBeLessThan(0.05);
  });
});

describe('proberSecondsPerInvocation', () => {
  it('loops for most of the minute up to 10 s intervals and returns at once at 60 s', async () => {
    const at5 = await proberSecondsPerInvocation(5, 5);
    expect(at5).toBeGreaterThan(50);
    expect(at5).toBeLessThan(58);
    expect(await proberSecondsPerInvocation(60, 5)).toBeLessThan(1);
  });

  it('ends before the next scheduled invocation, with its write reserve, at every interval', async () => {
    for (const interval of [1, 2, 5, 10]) {
      const s = await proberSecondsPerInvocation(interval, 5);
      expect(s).toBeLessThanOrEqual(60 - 0.25 - 1.5);
      // No idle sleep at the end: the last tick starts within one interval of the deadline.
      expect(s).toBeGreaterThan(60 - 0.25 - 1.5 - interval - 1);
    }
  });

  it('is cut by the timeout, keeping the reserve, when the timeout comes first', async () => {
    expect(await proberSecondsPerInvocation(2, 5, 30)).toBeLessThanOrEqual(30 - 1.5);
  });
});

describe('alternatives', () => {
  it('prices a NAT Gateway per AZ at $0.045 an hour', () => {
    const natGw = alternatives(9).find((a) => a.name.startsWith('NAT Gateway, one per AZ'));
    expect(natGw?.usdPerMonth).toBeCloseTo(2 * 730 * 0.045, 6);
    expect(natGw?.usdPerGb).toBe(0.045);
  });
});
