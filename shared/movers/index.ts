import type { EC2Client } from '@aws-sdk/client-ec2';
import type { GroupConfig, ResourceConfig } from '../config/schema';
import { ElasticIpMover } from './elastic-ip';
import type { Mover, VerifyOptions } from './mover';

/** Builds the mover of every resource of a group, in the declared order. */
export function createMovers(group: GroupConfig, ec2: EC2Client, verify?: Partial<VerifyOptions>): Mover[] {
  return group.resources.map((r) => createMover(r, group, ec2, verify));
}

/**
 * Builds the mover of one resource.
 * @throws Error for a resource kind without a mover yet.
 */
export function createMover(
  resource: ResourceConfig,
  group: GroupConfig,
  ec2: EC2Client,
  verify?: Partial<VerifyOptions>,
): Mover {
  switch (resource.kind) {
    case 'elastic-ip':
      return new ElasticIpMover(resource, group.nodes, ec2, verify);
    default:
      throw new Error(`group ${group.id}: resource kind ${resource.kind} has no mover yet`);
  }
}
