import type { DescribeManagedPrefixListsResult, DescribeVpcEndpointsResult } from '@aws-sdk/client-ec2';
import { Ec2Error } from '../errors';
import { applyFilters, type FilterTable } from '../filters';
import { PAGING, page } from '../paging';
import type { VpcEndpointRecord } from '../records';
import { vpcEndpointShape } from '../shapes';
import type { Ec2State } from '../state';
import type { Ec2Action } from './types';

function endpointFilters(state: Ec2State): FilterTable<VpcEndpointRecord> {
  return {
    tags: () => ({}),
    fields: {
      'vpc-endpoint-id': (e) => e.id,
      'vpc-endpoint-type': (e) => e.type,
      'vpc-endpoint-state': (e) => e.state,
      'service-name': (e) => e.serviceName,
      'vpc-id': () => state.vpcId,
    },
  };
}

/** DescribeVpcEndpoints (VpcEndpointIds, filters, paging): gateway and interface endpoints. */
export const DescribeVpcEndpoints: Ec2Action = {
  mutating: false,
  run({ state, input }): DescribeVpcEndpointsResult {
    const ids = input.list('VpcEndpointIds');
    const selected =
      ids.length === 0
        ? [...state.vpcEndpoints.values()]
        : ids.map((id) => {
            const endpoint = state.vpcEndpoints.get(id);
            if (!endpoint) {
              throw new Ec2Error(
                'InvalidVpcEndpointId.NotFound',
                `The Vpc Endpoint Id '${id}' does not exist`,
              );
            }
            return endpoint;
          });
    const endpoints = applyFilters(selected, input.filters(), endpointFilters(state));
    const { items, nextToken } = page('DescribeVpcEndpoints', PAGING.DescribeVpcEndpoints, input, endpoints);
    return {
      VpcEndpoints: items.map((e) => vpcEndpointShape(state, e)),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  },
};

interface PrefixList {
  readonly id: string;
  readonly name: string;
}

/** The AWS-managed prefix lists the topology's gateway endpoint routes name. */
function prefixLists(state: Ec2State): PrefixList[] {
  const lists = new Map<string, PrefixList>();
  for (const e of state.vpcEndpoints.values()) {
    if (e.prefixListId) lists.set(e.prefixListId, { id: e.prefixListId, name: e.serviceName });
  }
  return [...lists.values()];
}

/** DescribeManagedPrefixLists (PrefixListIds, filters prefix-list-id, prefix-list-name, owner-id). */
export const DescribeManagedPrefixLists: Ec2Action = {
  mutating: false,
  run({ state, input }): DescribeManagedPrefixListsResult {
    const ids = input.list('PrefixListIds');
    const all = prefixLists(state);
    const selected = ids.length === 0 ? all : all.filter((p) => ids.includes(p.id));
    const filtered = applyFilters(selected, input.filters(), {
      fields: {
        'prefix-list-id': (p) => p.id,
        'prefix-list-name': (p) => p.name,
        'owner-id': () => 'AWS',
      },
    });
    const { items, nextToken } = page(
      'DescribeManagedPrefixLists',
      PAGING.DescribeManagedPrefixLists,
      input,
      filtered,
    );
    return {
      PrefixLists: items.map((p) => ({
        PrefixListId: p.id,
        AddressFamily: 'IPv4',
        State: 'create-complete',
        PrefixListArn: `arn:aws:ec2:${state.region}:aws:prefix-list/${p.id}`,
        PrefixListName: p.name,
        MaxEntries: 0,
        Version: 1,
        OwnerId: 'AWS',
        Tags: [],
      })),
      ...(nextToken ? { NextToken: nextToken } : {}),
    };
  },
};
