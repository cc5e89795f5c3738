import {
  AssociateAddressCommand,
  ReplaceRouteCommand,
  ReplaceRouteTableAssociationCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { NodeConfig } from '../../config/schema';

/**
 * The mutating calls of a move (and of fencing) with DryRun set, built with the parameters the
 * movers send, so that preflight and the readiness check prove the calls a failover makes.
 * AssignPrivateIpAddresses has no DryRun parameter and is not here.
 */
export const dryRunCommand = {
  associateAddress: (allocationId: string, node: NodeConfig) =>
    new AssociateAddressCommand({
      AllocationId: allocationId,
      NetworkInterfaceId: node.eni,
      ...(node.privateIp ? { PrivateIpAddress: node.privateIp } : {}),
      AllowReassociation: true,
      DryRun: true,
    }),
  replaceRoute: (routeTable: string, destination: string, node: NodeConfig) =>
    new ReplaceRouteCommand({
      RouteTableId: routeTable,
      DestinationCidrBlock: destination,
      NetworkInterfaceId: node.eni,
      DryRun: true,
    }),
  replaceRouteTableAssociation: (associationId: string | undefined, node: NodeConfig) =>
    new ReplaceRouteTableAssociationCommand({
      AssociationId: associationId,
      RouteTableId: node.routeTable,
      DryRun: true,
    }),
  stopInstances: (node: NodeConfig) =>
    new StopInstancesCommand({ InstanceIds: [node.instanceId], DryRun: true }),
};
