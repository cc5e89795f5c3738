import { describe, expect, it } from 'vitest';
import { defaultsDetection } from '../../bench/defaults-detection';

describe('defaultsDetection', () => {
  it('detects within fall x interval + timeout mid-loop, later near the end of a loop', async () => {
    const d = await defaultsDetection({ intervalSeconds: 5, timeoutMs: 2_000, fall: 2 }, 60, 1);
    expect(d.boundMs).toBe(12_000);
    expect(d.crash.min).toBeGreaterThanOrEqual(5_000);
    expect(d.crash.p50).toBeLessThanOrEqual(d.boundMs);
    expect(d.hang.max).toBeGreaterThan(d.boundMs);
    expect(d.hang.max).toBeLessThan(d.boundMs + 15_000);
    expect(d.laterThanBoundShare).toBeGreaterThan(0);
  });

  it('repeats exactly from its seed', async () => {
    const policy = { intervalSeconds: 1, timeoutMs: 500, fall: 2 };
    expect(await defaultsDetection(policy, 10, 3)).toEqual(await defaultsDetection(policy, 10, 3));
  });
});
