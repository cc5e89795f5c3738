import type { EC2Client } from '@aws-sdk/client-ec2';
import { dryRunCommand } from '../adapters/aws/dry-run-commands';
import { isDryRunSuccess, mapEc2Error } from '../adapters/aws/ec2-errors';
import type { ArbiterConfig } from '../config/schema';
import { messageOf, UnauthorizedError } from '../domain/errors';
import { mapLimit } from '../usecases/map-limit';
import type { Findings } from './finding';
import { type Inventory, routeTableOfSubnet } from './inventory';

/** One mutating call the config may need, sent with DryRun. */
interface DryCall {
  action: string;
  /** The resources named, for the finding. */
  resource: string;
  /** Absent for calls EC2 offers no DryRun for. */
  send?: (ec2: EC2Client) => Promise<unknown>;
}

/**
 * Every mutating call a failover of this config can make, for every node it can move to:
 * AssociateAddress, AssignPrivateIpAddresses, ReplaceRoute, ReplaceRouteTableAssociation,
 * and StopInstances when fencing is on. IAM can scope these per resource, so each
 * (action, resource, target) is checked on its own.
 */
export function plannedCalls(config: ArbiterConfig, inv: Inventory): DryCall[] {
  const calls: DryCall[] = [];
  for (const g of config.groups) {
    for (const n of g.nodes) {
      const to = `${n.id} of group ${g.id}`;
      for (const r of g.resources) {
        switch (r.kind) {
          case 'elastic-ip':
            calls.push({
              action: 'AssociateAddress',
              resource: `${r.allocationId} -> ${n.eni} (${to})`,
              send: (ec2) => ec2.send(dryRunCommand.associateAddress(r.allocationId, n)),
            });
            break;
          case 'secondary-ip':
            // AssignPrivateIpAddresses has no DryRun parameter: checkDryRun reports it as unprovable.
            calls.push({ action: 'AssignPrivateIpAddresses', resource: `${r.ip} -> ${n.eni} (${to})` });
            break;
          case 'route':
            for (const t of r.routeTables) {
              calls.push({
                action: 'ReplaceRoute',
                resource: `${r.destination} in ${t} -> ${n.eni} (${to})`,
                send: (ec2) => ec2.send(dryRunCommand.replaceRoute(t, r.destination, n)),
              });
            }
            break;
          case 'route-table-association':
            for (const s of r.subnets) {
              const { associationId } = routeTableOfSubnet(inv, s);
              // Without an explicit association there is nothing to replace; exists.ts reports it.
              if (!associationId) continue;
              calls.push({
                action: 'ReplaceRouteTableAssociation',
                resource: `${s} (${associationId}) -> ${n.routeTable} (${to})`,
                send: (ec2) => ec2.send(dryRunCommand.replaceRouteTableAssociation(associationId, n)),
              });
            }
            break;
        }
      }
      if (g.policy.fence === 'stop') {
        calls.push({
          action: 'StopInstances',
          resource: `${n.instanceId} (fence ${to})`,
          send: (ec2) => ec2.send(dryRunCommand.stopInstances(n)),
        });
      }
    }
  }
  return calls;
}

/**
 * Sends each planned call with DryRun: `DryRunOperation` means the role may make it;
 * `UnauthorizedOperation` is an error naming the action and the resource.
 */
export async function checkDryRun(
  config: ArbiterConfig,
  ec2: EC2Client,
  inv: Inventory,
  f: Findings,
): Promise<void> {
  const calls = plannedCalls(config, inv);
  const unprovable = new Set(calls.filter((c) => !c.send).map((c) => c.action));
  for (const action of unprovable) {
    f.warning(
      'dry-run',
      `ec2:${action}`,
      `${action} has no DryRun mode, so preflight cannot prove the role may call it`,
      `make sure the arbiter's IAM policy allows ec2:${action} on the group's ENIs (docs/resources.md lists the actions per resource kind)`,
    );
  }
  const outcomes = await mapLimit(
    calls.filter((c) => c.send),
    8,
    async (call) => {
      try {
        await call.send?.(ec2);
        return { call, error: undefined as unknown, passed: false, unexpected: true };
      } catch (error) {
        return { call, error, passed: isDryRunSuccess(error), unexpected: false };
      }
    },
  );
  for (const { call, error, passed, unexpected } of outcomes) {
    const resource = `ec2:${call.action} ${call.resource}`;
    if (passed) {
      f.ok('dry-run', resource, 'allowed (DryRunOperation)');
      continue;
    }
    if (unexpected) {
      f.warning(
        'dry-run',
        resource,
        'the DryRun call succeeded instead of answering DryRunOperation',
        'check that the endpoint honours DryRun',
      );
      continue;
    }
    const mapped = mapEc2Error(error, `${call.action} (DryRun)`);
    if (mapped instanceof UnauthorizedError) {
      f.error(
        'dry-run',
        resource,
        `the role may not call ${call.action} on this resource: ${messageOf(mapped)}`,
        `allow ec2:${call.action} on the resources above in the arbiter's IAM policy (see docs/resources.md, required IAM actions)`,
      );
    } else {
      f.error(
        'dry-run',
        resource,
        `DryRun failed: ${messageOf(mapped)}`,
        'fix the resource named in the error, then run preflight again',
      );
    }
  }
}
