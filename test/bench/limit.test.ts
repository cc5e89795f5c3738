import { describe, expect, it } from 'vitest';
import { EIP_FAILOVER_PATH, limitLineMs } from '../../bench/limit';

describe('limitLineMs', () => {
  it('adds worst-case detection and the EC2 calls of an Elastic IP failover', () => {
    const ec2 = { describeMs: 300, mutatingMs: 800, propagationMs: 500 };
    expect(limitLineMs({ fall: 2, intervalSeconds: 1, timeoutMs: 500 }, ec2)).toBe(
      2_000 + 500 + 4 * 300 + 800,
    );
    expect(EIP_FAILOVER_PATH).toEqual({ describeRounds: 4, mutatingCalls: 1 });
  });

  it('counts the calls given for another path', () => {
    const ec2 = { describeMs: 100, mutatingMs: 200, propagationMs: 0 };
    expect(
      limitLineMs({ fall: 3, intervalSeconds: 2, timeoutMs: 1_000 }, ec2, {
        describeRounds: 2,
        mutatingCalls: 3,
      }),
    ).toBe(6_000 + 1_000 + 200 + 600);
  });
});
