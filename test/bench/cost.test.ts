import { describe, expect, it } from 'vitest';
import { alternatives } from '../../bench/cost/alternatives';
import { estimateMonthlyCost, type Usage } from '../../bench/cost/model';
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

  it('writes a heartbeat per group and vantage every 30 s, and nothing per probe', () => {
    const hb = cost(1).lines.find((l) => l.item.startsWith('heartbeats'));
    expect(hb?.quantity).toBe(2 * 120 * 730);
    expect(cost(1, 2).lines.find((l) => l.item.startsWith('heartbeats'))?.quantity).toBe(hb?.quantity);
  });

  it('adds per group the heartbeats, reads, one metric series per vantage, one alarm and logs', () => {
    const one = cost(1);
    const two = cost(2);
    const diff = (item: string) =>
      (two.lines.find((l) => l.item.startsWith(item))?.usd ?? 0) -
      (one.lines.find((l) => l.item.startsWith(item))?.usd ?? 0);
    expect(diff('custom metrics')).toBeCloseTo(2 * PRICES.cloudwatch.metricMonth, 6);
    expect(diff('alarms')).toBeCloseTo(PRICES.cloudwatch.alarmMonth, 6);
    expect(diff('heartbeats')).toBeCloseTo(2 * 120 * 730 * PRICES.dynamodb.writeRequestUnit, 6);
    expect(diff('probers')).toBe(0);
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
});

describe('alternatives', () => {
  it('prices a NAT Gateway per AZ at $0.045 an hour', () => {
    const natGw = alternatives(9).find((a) => a.name.startsWith('NAT Gateway, one per AZ'));
    expect(natGw?.usdPerMonth).toBeCloseTo(2 * 730 * 0.045, 6);
    expect(natGw?.usdPerGb).toBe(0.045);
  });
});
