import type { Ec2Timing } from './baselines/model';

/**
 * EC2 calls on an Elastic IP failover path, one after the other (calls made in parallel count
 * once). From shared/usecases/reconcile.ts and shared/adapters/aws/movers/elastic-ip.ts:
 * 1. look() before the lease: DescribeInstances, DescribeInstanceStatus, DescribeAddresses (parallel);
 * 2. look() again under the lease (the double-check): the same three, in parallel;
 * 3. ElasticIpMover.moveTo reads DescribeAddresses once more before it mutates;
 * 4. AssociateAddress (mutating; the audit log confirms one per failover);
 * 5. the read-back DescribeAddresses that verifies the move.
 */
export const EIP_FAILOVER_PATH = { describeRounds: 4, mutatingCalls: 1 } as const;

/** The detection part of a policy. */
export interface DetectionPolicy {
  fall: number;
  intervalSeconds: number;
  timeoutMs: number;
}

/**
 * The physical limit of a failover: the worst case of detection (the failure lands just after
 * a probe, `fall` more probes are needed, the last one waits out its timeout) plus the EC2
 * latency the path cannot avoid. Nothing a prober-based design does can beat it without
 * probing faster or trusting fewer probes.
 */
export function limitLineMs(
  policy: DetectionPolicy,
  ec2: Ec2Timing,
  path: { describeRounds: number; mutatingCalls: number } = EIP_FAILOVER_PATH,
): number {
  return (
    policy.fall * policy.intervalSeconds * 1000 +
    policy.timeoutMs +
    path.describeRounds * ec2.describeMs +
    path.mutatingCalls * ec2.mutatingMs
  );
}
