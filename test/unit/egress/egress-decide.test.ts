import { describe, expect, it } from 'vitest';
import type { GroupConfig } from '../../../shared/config/schema';
import { ActionKind, NodeHealth } from '../../../shared/domain/constants';
import { decide } from '../../../shared/domain/decide';
import { EGRESS_NODE } from '../../../shared/domain/egress-health';
import { emptyState, type GroupState, type InstanceSignal, type Verdict } from '../../../shared/domain/model';
import { makeGroup } from '../../helpers/config';
import { fromAll, verdict } from '../../helpers/verdicts';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const BOTH = ['az-a', 'az-c'];
const up = (node: string) => fromAll(BOTH, node, 'UP', NOW - 5_000);
const down = (node: string) => fromAll(BOTH, node, 'DOWN', NOW - 5_000);
const egressDown = (since = NOW - 20_000, vantages = BOTH) =>
  fromAll(vantages, EGRESS_NODE, 'DOWN', NOW - 5_000, {
    since,
    error: '2/2 egress targets failed (fail at 2): x',
  });
const egressUp = (vantages = BOTH) => fromAll(vantages, EGRESS_NODE, 'UP', NOW - 5_000);

/** A NAT pair (lb-1 holds the route) whose holder is judged by egress from both vantages. */
function nat(from?: string[]): GroupConfig {
  return makeGroup({}, (g) => {
    g.check = {
      type: 'egress',
      targets: [
        { host: '192.0.2.1', port: 443 },
        { host: '192.0.2.2', port: 443 },
      ],
      direct: { type: 'tcp', port: 22 },
      ...(from ? { from } : {}),
    };
  });
}

function run(
  group: GroupConfig,
  verdicts: Verdict[],
  state: Partial<GroupState> = { active: 'lb-1' },
  instances: Record<string, InstanceSignal> = {},
) {
  return decide(
    group,
    { ...emptyState('web-lb'), ...state },
    verdicts,
    { instances, holdings: [{ resource: 'route 0.0.0.0/0', node: 'lb-1', detail: '' }] },
    NOW,
  );
}

describe('NAT health by egress', () => {
  it('fails over a holder whose egress fails even though its direct check passes', () => {
    const d = run(nat(), [...up('lb-1'), ...up('lb-2'), ...egressDown()]);
    expect(d.assessments['lb-1']).toMatchObject({ health: NodeHealth.DOWN, downSince: NOW - 20_000 });
    expect(d.assessments['lb-1']?.reason).toContain('egress through lb-1 failing');
    expect(d.action).toMatchObject({ kind: ActionKind.FAILOVER, from: 'lb-1', to: 'lb-2' });
  });

  it('never holds egress verdicts against the standby, which is judged by its direct check', () => {
    const d = run(nat(), [...up('lb-1'), ...up('lb-2'), ...egressDown()]);
    expect(d.assessments['lb-2']?.health).toBe(NodeHealth.HEALTHY);
    const standbyDown = run(nat(), [...up('lb-1'), ...down('lb-2'), ...egressDown()]);
    expect(standbyDown.action).toMatchObject({ kind: ActionKind.NO_HEALTHY_TARGET });
  });

  it('keeps a holder that forwards traffic even when its direct check fails', () => {
    const d = run(nat(), [...down('lb-1'), ...up('lb-2'), ...egressUp()]);
    expect(d.assessments['lb-1']?.health).toBe(NodeHealth.HEALTHY);
    expect(d.action.kind).toBe(ActionKind.STAY);
  });

  it('uses the direct check when egress has no quorum', () => {
    const d = run(nat(), [...down('lb-1'), ...up('lb-2'), ...egressUp(['az-a'])]);
    expect(d.action).toMatchObject({ kind: ActionKind.FAILOVER, to: 'lb-2' });
  });

  it('does not blame the new holder for a failure streak that began before the failover', () => {
    const d = run(nat(), [...up('lb-1'), ...up('lb-2'), ...egressDown(NOW - 60_000)], {
      active: 'lb-1',
      lastFailoverAt: NOW - 30_000,
    });
    expect(d.assessments['lb-1']?.health).toBe(NodeHealth.HEALTHY);
    expect(d.assessments['lb-1']?.reason).toContain('not attributed to lb-1');
    expect(d.action.kind).toBe(ActionKind.STAY);
  });

  it('does not attribute egress to a holder the record disagrees with', () => {
    const d = run(nat(), [...up('lb-1'), ...up('lb-2'), ...egressDown()], { active: 'lb-2' });
    expect(d.assessments['lb-1']?.health).toBe(NodeHealth.HEALTHY);
  });

  it('caps the egress quorum at the number of egress vantages', () => {
    const d = run(nat(['az-a']), [
      ...up('lb-1'),
      ...up('lb-2'),
      verdict('az-a', EGRESS_NODE, 'DOWN', NOW - 5_000),
    ]);
    expect(d.assessments['lb-1']?.health).toBe(NodeHealth.DOWN);
  });

  it('ignores egress verdicts from vantages not listed in from', () => {
    const d = run(nat(['az-a']), [
      ...up('lb-1'),
      ...up('lb-2'),
      verdict('az-c', EGRESS_NODE, 'DOWN', NOW - 5_000),
    ]);
    expect(d.assessments['lb-1']?.health).toBe(NodeHealth.HEALTHY);
  });

  it('lets EC2 status checks win: an impaired holder is DOWN even when egress works', () => {
    const impaired = { 'lb-1': { instanceId: 'i-01', state: 'running', impaired: true } };
    const d = run(nat(), [...up('lb-1'), ...up('lb-2'), ...egressUp()], { active: 'lb-1' }, impaired);
    expect(d.assessments['lb-1']?.health).toBe(NodeHealth.DOWN);
  });

  it('does not count egress failures during the boot grace period', () => {
    const booting = {
      'lb-1': { instanceId: 'i-01', state: 'running', impaired: false, launchTime: NOW - 30_000 },
    };
    const d = run(nat(), [...up('lb-1'), ...up('lb-2'), ...egressDown()], { active: 'lb-1' }, booting);
    expect(d.assessments['lb-1']?.health).toBe(NodeHealth.HEALTHY);
  });

  it('describes failures with the direct check', () => {
    const d = run(nat(), [...down('lb-1'), ...up('lb-2')]);
    expect(d.assessments['lb-1']?.reason).toContain('tcp 22');
  });
});
