import { describe, expect, it } from 'vitest';
import {
  addressSwitchMs,
  firstMutationAt,
  quorumDownAt,
  verifiedAt,
} from '../../../shared/domain/move-timeline';

describe('move-timeline', () => {
  it('reads a history row timeline (epoch ms) and a manual failover timeline (ISO strings) alike', () => {
    const steps = [
      { what: 'lb-1 DOWN by quorum (lb-1 DOWN from 2 of 2 vantages)', at: 1000 },
      { what: 'lease taken by arbiter-1 (epoch 4)', at: 1100 },
      { what: 'AssociateAddress eipalloc-1 -> eni-2', at: 1200 },
      { what: 'retrying elastic-ip:eipalloc-1: throttled', at: 1500 },
      { what: 'AssociateAddress eipalloc-1 -> eni-2', at: 1600 },
      { what: 'verified: elastic-ip:eipalloc-1 on lb-2', at: 1900 },
      { what: 'ReplaceRoute rtb-1 0.0.0.0/0 -> eni-2', at: 2000 },
      { what: 'verified: route:rtb-1 on lb-2', at: 2300 },
    ];
    const iso = steps.map((s) => ({ ...s, at: new Date(s.at).toISOString() }));
    for (const timeline of [steps, iso]) {
      expect(quorumDownAt(timeline)).toBe(1000);
      expect(firstMutationAt(timeline)).toBe(1200);
      expect(verifiedAt(timeline)).toBe(2300);
      expect(addressSwitchMs(timeline)).toBe(1100);
    }
  });

  it('has no switch time without a mutating call or a read-back (a move already in place)', () => {
    const inPlace = [{ at: 5, what: 'already in place: elastic-ip:eipalloc-1 on lb-2' }];
    expect(addressSwitchMs(inPlace)).toBeUndefined();
    expect(quorumDownAt(inPlace)).toBeUndefined();
    expect(addressSwitchMs([{ at: 5, what: 'AssociateAddress x' }])).toBeUndefined();
  });
});
