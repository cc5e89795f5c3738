import { describe, expect, it } from 'vitest';
import { ActionKind } from '../../../shared/domain/constants';
import { decide } from '../../../shared/domain/decide';
import { emptyState, type GroupState, type Verdict } from '../../../shared/domain/model';
import { makeGroup, THIRD_NODE } from '../../helpers/config';
import { fromAll } from '../../helpers/verdicts';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const BOTH = ['az-a', 'az-c'];
const up = (node: string) => fromAll(BOTH, node, 'UP', NOW - 5_000);
const down = (node: string) => fromAll(BOTH, node, 'DOWN', NOW - 5_000);

/** lb-1 (priority 200), lb-2 (100), lb-3 (150). */
function three(policy: Record<string, unknown> = {}, priorities?: Record<string, number>) {
  return makeGroup(policy, (g) => {
    g.nodes.push({ ...THIRD_NODE });
    for (const n of g.nodes) if (priorities?.[n.id] !== undefined) n.priority = priorities[n.id];
  });
}

function run(
  group: ReturnType<typeof three>,
  holder: string,
  verdicts: Verdict[],
  state: Partial<GroupState> = {},
) {
  return decide(
    group,
    { ...emptyState('web-lb'), active: holder, ...state },
    verdicts,
    { instances: {}, holdings: [{ resource: 'elastic-ip eipalloc-01', node: holder, detail: '' }] },
    NOW,
  );
}

describe('A group of three nodes', () => {
  it('fails over to the healthy standby with the highest priority', () => {
    const d = run(three(), 'lb-1', [...down('lb-1'), ...up('lb-2'), ...up('lb-3')]);
    expect(d.action).toMatchObject({ kind: ActionKind.FAILOVER, from: 'lb-1', to: 'lb-3' });
  });

  it('skips a higher-priority standby that is DOWN', () => {
    const d = run(three(), 'lb-1', [...down('lb-1'), ...up('lb-2'), ...down('lb-3')]);
    expect(d.action).toMatchObject({ kind: ActionKind.FAILOVER, to: 'lb-2' });
  });

  it('skips a higher-priority standby that is banned', () => {
    const d = run(three(), 'lb-1', [...down('lb-1'), ...up('lb-2'), ...up('lb-3')], { bans: { 'lb-3': 0 } });
    expect(d.action).toMatchObject({ kind: ActionKind.FAILOVER, to: 'lb-2' });
  });

  it('skips a standby whose health is unknown', () => {
    const d = run(three(), 'lb-1', [...down('lb-1'), ...up('lb-2')]);
    expect(d.action).toMatchObject({ kind: ActionKind.FAILOVER, to: 'lb-2' });
  });

  it('breaks a priority tie by node id', () => {
    const d = run(three({}, { 'lb-2': 150 }), 'lb-1', [...down('lb-1'), ...up('lb-2'), ...up('lb-3')]);
    expect(d.action).toMatchObject({ kind: ActionKind.FAILOVER, to: 'lb-2' });
  });

  it('stays on a healthy lower-priority holder with failback manual', () => {
    const d = run(three(), 'lb-2', [...up('lb-1'), ...up('lb-2'), ...up('lb-3')]);
    expect(d.action.kind).toBe(ActionKind.STAY);
  });

  it('fails back to the highest-priority node after the hold-down with failback auto', () => {
    const group = three({ failback: 'auto', holdDownSeconds: 60 });
    const d = run(group, 'lb-2', [...up('lb-1'), ...up('lb-2'), ...up('lb-3')], {
      healthySince: { 'lb-1': NOW - 61_000, 'lb-3': NOW - 600_000 },
    });
    expect(d.action).toMatchObject({ kind: ActionKind.FAILBACK, from: 'lb-2', to: 'lb-1' });
  });

  it('says there is no healthy target when every standby is DOWN', () => {
    const d = run(three(), 'lb-1', [...down('lb-1'), ...down('lb-2'), ...down('lb-3')]);
    expect(d.action).toMatchObject({ kind: ActionKind.NO_HEALTHY_TARGET, from: 'lb-1' });
  });
});
