import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../../bench/options';

describe('parseBenchArgs', () => {
  it('runs a full bench with the issue defaults and writes the docs', () => {
    const o = parseBenchArgs([]);
    expect(o).toMatchObject({
      mode: 'full',
      json: false,
      live: true,
      docs: true,
      trialsPerKind: 25,
      lossRate: 0.05,
    });
    expect(o.ec2).toEqual({ describeMs: 300, mutatingMs: 800, propagationMs: 500 });
  });

  it('makes a quick run shorter and leaves the docs alone', () => {
    const o = parseBenchArgs(['--quick', '--json']);
    expect(o).toMatchObject({
      mode: 'quick',
      json: true,
      docs: false,
      trialsPerKind: 8,
      falseMinutes: 20_000,
    });
  });

  it('takes the EC2 latencies from flags', () => {
    const o = parseBenchArgs(['--describe-latency', '100', '--mutate-latency', '2000', '--trials', '3']);
    expect(o.ec2.describeMs).toBe(100);
    expect(o.ec2.mutatingMs).toBe(2000);
    expect(o.trialsPerKind).toBe(3);
  });

  it('refuses a bad number and an unknown flag, with the usage', () => {
    expect(() => parseBenchArgs(['--trials', 'many'])).toThrow(/--trials must be a number/);
    expect(() => parseBenchArgs(['--fast'])).toThrow(/npm run bench/);
  });
});

describe('parseBenchArgs without the live part', () => {
  it('leaves the docs alone unless asked', () => {
    expect(parseBenchArgs(['--no-live']).docs).toBe(false);
    expect(parseBenchArgs(['--no-live', '--docs']).docs).toBe(true);
  });
});
