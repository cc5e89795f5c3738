import type { EC2Client } from '@aws-sdk/client-ec2';
import type { GroupConfig, ResourceConfig } from '../../../config/schema';
import type { Mover, VerifyOptions } from '../../../ports/mover';
import { ElasticIpMover } from './elastic-ip';
import { RouteMover } from './route';
import { RouteTableAssociationMover } from './route-table-association';
import { SecondaryIpMover } from './secondary-ip';

/** Builds the mover of every resource of a group, in the declared order. */
export function createMovers(group: GroupConfig, ec2: EC2Client, verify?: Partial<VerifyOptions>): Mover[] {
  return group.resources.map((r) => createMover(r, group, ec2, verify));
}

/** Builds the mover of one resource. */
export function createMover(
  resource: ResourceConfig,
  group: GroupConfig,
  ec2: EC2Client,
  verify?: Partial<VerifyOptions>,
): Mover {
  switch (resource.kind) {
    case 'elastic-ip':
      return new ElasticIpMover(resource, group.nodes, ec2, verify);
    case 'secondary-ip':
      return new SecondaryIpMover(resource, group.nodes, ec2, verify);
    case 'route':
      return new RouteMover(resource, group.nodes, ec2, verify);
    case 'route-table-association':
      return new RouteTableAssociationMover(resource, group.nodes, ec2, verify);
  }
}
