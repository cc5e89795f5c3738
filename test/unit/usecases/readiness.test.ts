import { describe, expect, it } from 'vitest';
import { EventType } from '../../../shared/domain/constants';
import { CallOutcome, type PermissionCheck } from '../../../shared/domain/readiness';
import { silentLog } from '../../../shared/ports/log';
import type { MovePermissions } from '../../../shared/ports/move-permissions';
import type { ReadinessMemo } from '../../../shared/ports/readiness-memo';
import { type ArbiterDeps, newContainerMemory } from '../../../shared/usecases/deps';
import { reconcileGroup } from '../../../shared/usecases/reconcile';
import { fakeClock } from '../../helpers/clock';
import { makeConfig } from '../../helpers/config';
import { FakeCloud } from '../../helpers/fake-cloud';
import { MemoryStore } from '../../helpers/memory-store';
import { RecordingNotifier } from '../../helpers/notifier';
import { fromAll } from '../../helpers/verdicts';

/** DryRun answers as the test sets them; counts the checks. */
class ScriptedPermissions implements MovePermissions {
  outcome: CallOutcome = CallOutcome.ALLOWED;
  checks = 0;
  async check(_group: unknown, target: { id: string }) {
    this.checks += 1;
    return [
      {
        action: 'AssociateAddress',
        node: target.id,
        resource: 'eipalloc-01 -> eni-02',
        outcome: this.outcome,
        ...(this.outcome === CallOutcome.DENIED ? { code: 'UnauthorizedOperation' } : {}),
      },
    ];
  }
}

class MapMemo implements ReadinessMemo {
  readonly rows = new Map<string, PermissionCheck>();
  async read(group: string) {
    return this.rows.get(group);
  }
  async save(group: string, check: PermissionCheck) {
    this.rows.set(group, check);
  }
}

function setup() {
  const config = makeConfig((raw) => {
    raw.arbiter.readinessCheckSeconds = 300;
  });
  const group = config.groups[0]!;
  const store = new MemoryStore();
  const cloud = new FakeCloud();
  cloud.place(group, 'lb-1');
  const notifier = new RecordingNotifier();
  const clock = fakeClock();
  const permissions = new ScriptedPermissions();
  const memo = new MapMemo();
  const deps = (owner: string): ArbiterDeps => ({
    config,
    store,
    cloud,
    notifier,
    owner,
    now: clock.now,
    log: silentLog,
    memory: newContainerMemory(),
    readiness: { permissions, memo },
  });
  const allUp = async () => {
    for (const node of ['lb-1', 'lb-2'])
      for (const v of fromAll(group.vantages, node, 'UP', clock.now())) await store.putVerdict(v);
  };
  const tick = async (owner = 'arbiter-a') => {
    await allUp();
    await reconcileGroup(deps(owner), group);
  };
  return { group, clock, permissions, notifier, tick };
}

describe('Readiness on the reconcile', () => {
  it('runs the DryRun at most every readinessCheckSeconds while the holder and standby stay the same', async () => {
    const { clock, permissions, tick } = setup();
    await tick();
    expect(permissions.checks).toBe(1);
    clock.advance(60_000);
    await tick();
    clock.advance(60_000);
    await tick();
    expect(permissions.checks).toBe(1);
    clock.advance(200_000);
    await tick();
    expect(permissions.checks).toBe(2);
  });

  it('tells a denied move once across arbiters, and the recovery once', async () => {
    const { clock, permissions, notifier, tick } = setup();
    await tick();
    expect(notifier.of(EventType.NOT_READY)).toEqual([]);
    permissions.outcome = CallOutcome.DENIED;
    clock.advance(300_000);
    await tick('arbiter-a');
    await tick('arbiter-b');
    expect(notifier.of(EventType.NOT_READY).map((n) => n.subject)).toEqual([
      '[ha-arbiter] web-lb NOT READY: DryRun AssociateAddress to lb-2 answered UnauthorizedOperation',
    ]);
    permissions.outcome = CallOutcome.ALLOWED;
    clock.advance(300_000);
    await tick('arbiter-b');
    await tick('arbiter-a');
    expect(notifier.of(EventType.READY_AGAIN).map((n) => n.subject)).toEqual([
      '[ha-arbiter] web-lb is ready to fail over again to lb-2',
    ]);
    expect(notifier.of(EventType.NOT_READY)).toHaveLength(1);
  });

  it('keeps the last conclusive DryRun when EC2 answers inconclusively, and asks again next time', async () => {
    const { clock, permissions, notifier, tick } = setup();
    await tick();
    permissions.outcome = CallOutcome.INCONCLUSIVE;
    clock.advance(300_000);
    await tick();
    await tick();
    expect(permissions.checks).toBe(3);
    expect(notifier.of(EventType.NOT_READY)).toEqual([]);
  });
});
