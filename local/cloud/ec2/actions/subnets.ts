import type { SubnetRecord } from '../../world/model.js';
import { applyFilters, type FilterTable } from '../filters.js';
import { subnetXml } from '../render.js';
import { requireSubnet } from './lookup.js';
import type { ActionContext, Ec2Action } from './types.js';

function subnetFilters(ctx: ActionContext): FilterTable<SubnetRecord> {
  return {
    tags: (s): Record<string, string> => (s.name ? { Name: s.name } : {}),
    fields: {
      'subnet-id': (s) => s.id,
      'vpc-id': () => ctx.world.vpcId,
      'availability-zone': (s) => s.availabilityZone,
      'cidr-block': (s) => s.cidr,
      cidr: (s) => s.cidr,
      state: () => 'available',
    },
  };
}

/** DescribeSubnets (SubnetId.N, filters). */
export const DescribeSubnets: Ec2Action = {
  mutating: false,
  run(ctx) {
    const ids = ctx.params.list('SubnetId');
    const selected =
      ids.length === 0 ? [...ctx.world.subnets.values()] : ids.map((id) => requireSubnet(ctx.world, id));
    const subnets = applyFilters(selected, ctx.params.filters(), subnetFilters(ctx));
    return { subnetSet: subnets.map((s) => subnetXml(ctx.world, s)) };
  },
};
