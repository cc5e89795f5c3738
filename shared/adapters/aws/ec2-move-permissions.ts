import type { EC2Client } from '@aws-sdk/client-ec2';
import type { GroupConfig, NodeConfig, RouteTableAssociationResource } from '../../config/schema';
import { ThrottledError, UnauthorizedError } from '../../domain/errors';
import { CallOutcome, type CheckedCall } from '../../domain/readiness';
import type { MovePermissions } from '../../ports/move-permissions';
import { dryRunCommand } from './dry-run-commands';
import { isDryRunSuccess, mapEc2Error } from './ec2-errors';
import { subnetAssociations } from './movers/route-table-association';

/** One planned call: what it is, and how to send it with DryRun (absent: no DryRun mode). */
interface PlannedCall {
  action: string;
  node: string;
  resource: string;
  send?: () => Promise<unknown>;
  /** Known refused before sending (e.g. no association to replace). */
  refused?: string;
}

/** EC2 answers that say nothing about the move: try again at the next check. */
const TRANSIENT_CODES = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable']);

/**
 * MovePermissions over EC2 DryRun. The calls are built with the parameters the movers
 * (shared/adapters/aws/movers/*) send: AssociateAddress with the target's ENI and private IP and
 * AllowReassociation, ReplaceRoute per route table, ReplaceRouteTableAssociation with each
 * subnet's current association id (read here as the mover reads it), and StopInstances of the
 * holder when the group fences. DryRun answers with the caller's real permissions, so IAM,
 * SCPs and permission boundaries all have their say; the role needs the rights of the real
 * call, which the arbiter has.
 */
export function ec2MovePermissions(ec2: EC2Client): MovePermissions {
  return {
    async check(group, target, from) {
      const planned = await plan(ec2, group, target, from);
      const out: CheckedCall[] = [];
      for (const call of planned) out.push(await send(call));
      return out;
    },
  };
}

async function plan(
  ec2: EC2Client,
  group: GroupConfig,
  target: NodeConfig,
  from: NodeConfig | undefined,
): Promise<PlannedCall[]> {
  const calls: PlannedCall[] = [];
  const node = target.id;
  for (const r of group.resources) {
    switch (r.kind) {
      case 'elastic-ip':
        calls.push({
          action: 'AssociateAddress',
          node,
          resource: `${r.allocationId} -> ${target.eni}${target.privateIp ? `/${target.privateIp}` : ''}`,
          send: () => ec2.send(dryRunCommand.associateAddress(r.allocationId, target)),
        });
        break;
      case 'secondary-ip':
        calls.push({ action: 'AssignPrivateIpAddresses', node, resource: `${r.ip} -> ${target.eni}` });
        break;
      case 'route':
        for (const table of r.routeTables) {
          calls.push({
            action: 'ReplaceRoute',
            node,
            resource: `${r.destination} in ${table} -> ${target.eni}`,
            send: () => ec2.send(dryRunCommand.replaceRoute(table, r.destination, target)),
          });
        }
        break;
      case 'route-table-association':
        calls.push(...(await associationCalls(ec2, r, target)));
        break;
    }
  }
  if (group.policy.fence === 'stop' && from) {
    calls.push({
      action: 'StopInstances',
      node: from.id,
      resource: `${from.instanceId} (fencing ${from.id})`,
      send: () => ec2.send(dryRunCommand.stopInstances(from)),
    });
  }
  return calls;
}

/** ReplaceRouteTableAssociation per subnet, with the association id the mover would replace. */
async function associationCalls(
  ec2: EC2Client,
  r: RouteTableAssociationResource,
  target: NodeConfig,
): Promise<PlannedCall[]> {
  const calls: PlannedCall[] = [];
  const node = target.id;
  const associations = await subnetAssociations(ec2, r.subnets);
  for (const subnet of r.subnets) {
    const found = associations.find((x) => x.subnet === subnet);
    const a =
      found?.associationId && found.table
        ? { table: found.table, associationId: found.associationId }
        : undefined;
    const resource = `${subnet} (${a?.associationId ?? 'no association'}) -> ${target.routeTable}`;
    if (!a) {
      calls.push({
        action: 'ReplaceRouteTableAssociation',
        node,
        resource,
        refused: 'NoExplicitAssociation',
      });
      continue;
    }
    // Already there: the mover would not call anything for this subnet.
    if (a.table === target.routeTable) continue;
    calls.push({
      action: 'ReplaceRouteTableAssociation',
      node,
      resource,
      send: () => ec2.send(dryRunCommand.replaceRouteTableAssociation(a.associationId, target)),
    });
  }
  return calls;
}

async function send(call: PlannedCall): Promise<CheckedCall> {
  const base = { action: call.action, node: call.node, resource: call.resource };
  if (call.refused) return { ...base, outcome: CallOutcome.REFUSED, code: call.refused };
  if (!call.send) return { ...base, outcome: CallOutcome.UNPROVABLE };
  try {
    await call.send();
    // The endpoint ignored DryRun and made the call: the move would work, but say so.
    return { ...base, outcome: CallOutcome.INCONCLUSIVE, code: 'DryRunIgnored' };
  } catch (error) {
    if (isDryRunSuccess(error)) return { ...base, outcome: CallOutcome.ALLOWED };
    const mapped = mapEc2Error(error, `${call.action} (DryRun)`);
    const code = (mapped as { code?: string }).code ?? mapped.name;
    if (mapped instanceof UnauthorizedError) return { ...base, outcome: CallOutcome.DENIED, code };
    // No $metadata: no answer from EC2 at all (a timeout, a refused connection).
    const answered = (error as { $metadata?: unknown } | undefined)?.$metadata !== undefined;
    if (!answered || mapped instanceof ThrottledError || TRANSIENT_CODES.has(code)) {
      return { ...base, outcome: CallOutcome.INCONCLUSIVE, code };
    }
    return { ...base, outcome: CallOutcome.REFUSED, code };
  }
}
