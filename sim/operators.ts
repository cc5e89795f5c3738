import type { NodeConfig } from '../shared/config/schema';
import { control } from '../shared/ops/control';
import { manualFailover as requestFailover } from '../shared/ops/manual-failover';
import { newActor } from './actors';
import type { Fault } from './faults';
import type { SimWorld } from './world';

/**
 * An operator's manual failover through the `failover` function's use-case. Forced ones skip
 * the health check (and the healthy-target invariant); the decision is pinned to the
 * operator's first read.
 */
export async function manualFailover(w: SimWorld, index: number, force: boolean): Promise<void> {
  const actor = newActor('operator', w.actorId('operator'), w.arbiters.pickContainer());
  actor.automatic = false;
  actor.forced = force;
  const target = w.group.nodes[index] as NodeConfig;
  try {
    const result = await requestFailover(w.arbiters.deps(actor), {
      group: w.group.id,
      to: target.id,
      force,
      reason: 'simulated operator',
      requestedBy: 'operator',
    });
    w.sched.log(actor.id, `manual failover to ${target.id}: ${result.outcome}`);
  } catch (error) {
    w.sched.log(actor.id, `manual failover to ${target.id} refused or failed: ${(error as Error).message}`);
  } finally {
    actor.finished = true;
  }
}

/** An operator's `control` action and the reconcile (or move off a banned holder) it runs. */
export async function controlAction(
  w: SimWorld,
  f: Extract<Fault, { kind: 'control' }>,
  index: number,
): Promise<void> {
  const actor = newActor('arbiter', w.actorId('control'), w.arbiters.pickContainer());
  // Operator-initiated: a ban of the holder moves the address off it at once, cooldown or not
  // (shared/ops/control.ts). The healthy-target check still applies; the cooldown one does not.
  actor.automatic = false;
  const node = w.group.nodes[index] as NodeConfig;
  const needsNode = f.action === 'ban' || f.action === 'unban';
  try {
    const result = await control(w.arbiters.deps(actor), {
      group: w.group.id,
      action: f.action,
      ...(needsNode ? { node: node.id } : {}),
      ...(f.action === 'ban' && f.minutes !== null ? { expiresInMinutes: f.minutes } : {}),
      requestedBy: 'operator',
    });
    w.sched.log(actor.id, `control ${f.action}${needsNode ? ` ${node.id}` : ''}: ${result.summary}`);
  } catch (error) {
    w.sched.log(actor.id, `control ${f.action} failed: ${(error as Error).message}`);
  } finally {
    actor.finished = true;
  }
}

/** Someone moves the Elastic IP in the console: drift the arbiter must notice. */
export function handMove(w: SimWorld, index: number): void {
  const r = w.group.resources.find((x) => x.kind === 'elastic-ip');
  const node = w.group.nodes[index];
  if (r?.kind !== 'elastic-ip' || !node?.eni) return;
  w.ec2.call('AssociateAddress', {
    AllocationId: r.allocationId,
    NetworkInterfaceId: node.eni,
    AllowReassociation: true,
  });
  w.stats.handMoves += 1;
  w.sched.log('console', `Elastic IP moved by hand to ${node.id}`);
}
