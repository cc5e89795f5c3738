import type { DescribeSubnetsResult, DescribeVpcsResult } from '@aws-sdk/client-ec2';
import { Ec2Error } from '../errors';
import { applyFilters, type FilterTable } from '../filters';
import { PAGING, page } from '../paging';
import type { SubnetRecord } from '../records';
import { subnetShape, vpcShape } from '../shapes';
import type { Ec2State } from '../state';
import { requireSubnet } from './lookup';
import type { Ec2Action } from './types';

function subnetFilters(state: Ec2State): FilterTable<SubnetRecord> {
  return {
    tags: (s): Record<string, string> => (s.name ? { Name: s.name } : {}),
    fields: {
      'subnet-id': (s) => s.id,
      'vpc-id': () => state.vpcId,
      'availability-zone': (s) => s.availabilityZone,
      'cidr-block': (s) => s.cidr,
      cidr: (s) => s.cidr,
      state: () => 'available',
    },
  };
}

/** DescribeSubnets (SubnetIds, filters, paging). */
export const DescribeSubnets: Ec2Action = {
  mutating: false,
  run({ state, input }): DescribeSubnetsResult {
    const ids = input.list('SubnetIds');
    const selected =
      ids.length === 0 ? [...state.subnets.values()] : ids.map((id) => requireSubnet(state, id));
    const subnets = applyFilters(selected, input.filters(), subnetFilters(state));
    const { items, nextToken } = page('DescribeSubnets', PAGING.DescribeSubnets, input, subnets);
    return {
      Subnets: items.map((s) => subnetShape(state, s)),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  },
};

/** DescribeVpcs (VpcIds, filters, paging): the model holds one VPC. */
export const DescribeVpcs: Ec2Action = {
  mutating: false,
  run({ state, input }): DescribeVpcsResult {
    for (const id of input.list('VpcIds')) {
      if (!/^vpc-[0-9a-f]{8,17}$/.test(id))
        throw new Ec2Error('InvalidVpcID.Malformed', `Invalid id: "${id}"`);
      if (id !== state.vpcId)
        throw new Ec2Error('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
    }
    const vpcs = applyFilters([state], input.filters(), {
      tags: () => ({}),
      fields: {
        'vpc-id': (s) => s.vpcId,
        'cidr-block': (s) => s.vpcCidr,
        'cidr-block-association.cidr-block': (s) => s.vpcCidr,
        'owner-id': (s) => s.accountId,
        'is-default': () => false,
        state: () => 'available',
      },
    });
    const { items, nextToken } = page('DescribeVpcs', PAGING.DescribeVpcs, input, vpcs);
    return { Vpcs: items.map(vpcShape), ...(nextToken ? { NextToken: nextToken } : {}) };
  },
};
