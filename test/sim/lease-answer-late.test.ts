import { describe, expect, it } from 'vitest';
import type { Lease } from '../../shared/domain/model';
import { reconcileGroup } from '../../shared/usecases/reconcile';
import { SimMemoryStore } from '../../sim/store/memory-store';
import { eipHolder, fixture } from './fixture';

/** A store whose lease extensions answer `delayMs` late (a frozen container, a slow network). */
class LateExtendStore extends SimMemoryStore {
  constructor(
    private readonly clock: { now: number },
    private readonly delayMs: number,
  ) {
    super();
  }

  override async extendLease(lease: Lease, now: number, leaseMs: number): Promise<Lease> {
    const extended = await super.extendLease(lease, now, leaseMs);
    this.clock.now += this.delayMs;
    return extended;
  }
}

async function failoverWithExtendAnsweringAfter(delayMs: number) {
  const f = fixture({ store: (clock) => new LateExtendStore(clock, delayMs) });
  await f.report('n1', false);
  await f.report('n2', true);
  await f.report('n3', true);
  const result = await reconcileGroup(f.deps, f.group);
  return { f, result };
}

describe('A lease extension that answers late (regression, found by the simulator)', () => {
  it('is not acted on when the answer took more than half the lease', async () => {
    const { f, result } = await failoverWithExtendAnsweringAfter(31_000);
    // Nothing moved; whoever holds the lease now acts and reports: not a failure of this move.
    expect(result.outcome).toBe('superseded');
    expect(result.detail).toMatch(/lease of group web .* was lost/);
    expect(f.ec2.calls.map((c) => c.action)).not.toContain('AssociateAddress');
    expect(eipHolder(f.world, f.group)).toBe('n1');
  });

  it('is acted on when the answer came back within half the lease', async () => {
    const { f, result } = await failoverWithExtendAnsweringAfter(29_000);
    expect(result.outcome).toBe('moved');
    expect(eipHolder(f.world, f.group)).toBe('n2');
  });
});
