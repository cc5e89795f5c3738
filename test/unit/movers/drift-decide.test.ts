import { describe, expect, it } from 'vitest';
import type { GroupConfig } from '../../../shared/config/schema';
import { ActionKind } from '../../../shared/domain/constants';
import { decide, Hold } from '../../../shared/domain/decide';
import { emptyState, type GroupState, type Holding, type Verdict } from '../../../shared/domain/model';
import { makeGroup, THIRD_NODE } from '../../helpers/config';
import { fromAll } from '../../helpers/verdicts';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const BOTH = ['az-a', 'az-c'];
const EIP = 'elastic-ip eipalloc-01';
const VIP = 'secondary-ip 10.0.1.100';

const up = (node: string) => fromAll(BOTH, node, 'UP', NOW - 5_000);
const down = (node: string) => fromAll(BOTH, node, 'DOWN', NOW - 5_000);

/** web-lb with an Elastic IP and a secondary IP that move together (seed 003). */
function pair(policy: Record<string, unknown> = {}, three = false): GroupConfig {
  return makeGroup(policy, (g) => {
    g.resources.push({ kind: 'secondary-ip', ip: '10.0.1.100' });
    if (three) g.nodes.push({ ...THIRD_NODE });
  });
}

function run(
  group: GroupConfig,
  holders: Record<string, string | undefined>,
  verdicts: Verdict[],
  state: Partial<GroupState> = {},
) {
  const holdings: Holding[] = Object.entries(holders).map(([resource, node]) => ({
    resource,
    node,
    detail: '',
  }));
  return decide(group, { ...emptyState('web-lb'), ...state }, verdicts, { instances: {}, holdings }, NOW);
}

describe('Drift in the decision', () => {
  it('sees no drift when every resource is on the recorded holder', () => {
    const d = run(pair(), { [EIP]: 'lb-1', [VIP]: 'lb-1' }, [...up('lb-1'), ...up('lb-2')], {
      active: 'lb-1',
    });
    expect(d.drift).toBeUndefined();
    expect(d.action.kind).toBe(ActionKind.STAY);
  });

  it('adopts a single holder when nothing is recorded yet', () => {
    const d = run(pair(), { [EIP]: 'lb-2', [VIP]: 'lb-2' }, [...up('lb-1'), ...up('lb-2')]);
    expect(d.drift).toBeUndefined();
    expect(d.action.kind).toBe(ActionKind.STAY);
  });

  it('moves a hand-moved Elastic IP back to the healthy recorded holder', () => {
    const d = run(pair(), { [EIP]: 'lb-2', [VIP]: 'lb-1' }, [...up('lb-1'), ...up('lb-2')], {
      active: 'lb-1',
    });
    expect(d.drift).toMatchObject({ recorded: 'lb-1', split: true });
    expect(d.drift?.misplaced.map((h) => h.resource)).toEqual([EIP]);
    expect(d.action).toMatchObject({ kind: ActionKind.REPAIR, from: 'lb-2', to: 'lb-1' });
    expect(d.action).not.toHaveProperty('hold');
    expect((d.action as { reason: string }).reason).toBe(
      `drift: ${EIP} on lb-2, ${VIP} on lb-1; recorded holder lb-1`,
    );
  });

  it('moves everything back when the whole group was moved by hand to a healthy node', () => {
    const d = run(pair(), { [EIP]: 'lb-2', [VIP]: 'lb-2' }, [...up('lb-1'), ...up('lb-2')], {
      active: 'lb-1',
    });
    expect(d.drift).toMatchObject({ recorded: 'lb-1', split: false });
    expect(d.action).toMatchObject({ kind: ActionKind.REPAIR, from: 'lb-2', to: 'lb-1' });
  });

  it('puts an address back that someone disassociated', () => {
    const d = run(pair(), { [EIP]: undefined, [VIP]: 'lb-1' }, [...up('lb-1'), ...up('lb-2')], {
      active: 'lb-1',
    });
    expect(d.action).toMatchObject({ kind: ActionKind.REPAIR, to: 'lb-1' });
  });

  it('only reports with drift: report, and the usual rules decide', () => {
    const d = run(
      pair({ drift: 'report' }),
      { [EIP]: 'lb-2', [VIP]: 'lb-2' },
      [...up('lb-1'), ...up('lb-2')],
      {
        active: 'lb-1',
      },
    );
    expect(d.drift).toBeDefined();
    expect(d.action.kind).toBe(ActionKind.STAY);
  });

  it('still fails over a DOWN holder with drift: report', () => {
    const d = run(
      pair({ drift: 'report' }),
      { [EIP]: 'lb-2', [VIP]: 'lb-2' },
      [...up('lb-1'), ...down('lb-2')],
      {
        active: 'lb-1',
      },
    );
    expect(d.action).toMatchObject({ kind: ActionKind.FAILOVER, from: 'lb-2', to: 'lb-1' });
  });

  it('does not repair onto a recorded holder that is DOWN', () => {
    const d = run(pair(), { [EIP]: 'lb-2', [VIP]: 'lb-2' }, [...down('lb-1'), ...up('lb-2')], {
      active: 'lb-1',
    });
    expect(d.drift).toBeDefined();
    expect(d.action.kind).toBe(ActionKind.STAY);
  });

  it('does not repair onto a banned recorded holder', () => {
    const d = run(pair(), { [EIP]: 'lb-2', [VIP]: 'lb-2' }, [...up('lb-1'), ...up('lb-2')], {
      active: 'lb-1',
      bans: { 'lb-1': 0 },
    });
    expect(d.action.kind).toBe(ActionKind.STAY);
  });

  it('gathers split resources on the healthy holder of the first one when the recorded holder is DOWN', () => {
    const d = run(pair(), { [EIP]: 'lb-2', [VIP]: 'lb-1' }, [...down('lb-1'), ...up('lb-2')], {
      active: 'lb-1',
    });
    expect(d.action).toMatchObject({ kind: ActionKind.REPAIR, from: 'lb-1', to: 'lb-2' });
    expect((d.action as { reason: string }).reason).toContain('gathering on lb-2');
  });

  it('gathers a split found before anything was recorded', () => {
    const d = run(pair(), { [EIP]: 'lb-1', [VIP]: 'lb-2' }, [...up('lb-1'), ...up('lb-2')]);
    expect(d.drift).toMatchObject({ recorded: undefined, split: true });
    expect(d.action).toMatchObject({ kind: ActionKind.REPAIR, from: 'lb-2', to: 'lb-1' });
  });

  it('fails over instead when the resources are split and the first holder is DOWN', () => {
    const d = run(pair(), { [EIP]: 'lb-1', [VIP]: 'lb-2' }, [...down('lb-1'), ...up('lb-2')], {
      active: 'lb-1',
    });
    expect(d.action).toMatchObject({ kind: ActionKind.FAILOVER, from: 'lb-1', to: 'lb-2' });
  });

  it('holds a repair in observe mode and in a paused group', () => {
    const observe = run(
      pair({ mode: 'observe' }),
      { [EIP]: 'lb-2', [VIP]: 'lb-2' },
      [...up('lb-1'), ...up('lb-2')],
      {
        active: 'lb-1',
      },
    );
    expect(observe.action).toMatchObject({ kind: ActionKind.REPAIR, hold: Hold.OBSERVE });
    const paused = run(pair(), { [EIP]: 'lb-2', [VIP]: 'lb-2' }, [...up('lb-1'), ...up('lb-2')], {
      active: 'lb-1',
      paused: true,
    });
    expect(paused.action).toMatchObject({ kind: ActionKind.REPAIR, hold: Hold.PAUSED });
  });

  it('repairs to the recorded holder rather than failing over by priority (the record is sticky)', () => {
    // lb-1 (200) is the preferred node, but lb-2 is recorded; someone moved everything to lb-3, which died.
    const d = run(
      pair({}, true),
      { [EIP]: 'lb-3', [VIP]: 'lb-3' },
      [...up('lb-1'), ...up('lb-2'), ...down('lb-3')],
      { active: 'lb-2' },
    );
    expect(d.action).toMatchObject({ kind: ActionKind.REPAIR, from: 'lb-3', to: 'lb-2' });
  });

  it('ignores a recorded holder that is no longer a node of the group', () => {
    const d = run(pair(), { [EIP]: 'lb-1', [VIP]: 'lb-1' }, [...up('lb-1'), ...up('lb-2')], {
      active: 'lb-9',
    });
    expect(d.drift).toBeUndefined();
  });
});
