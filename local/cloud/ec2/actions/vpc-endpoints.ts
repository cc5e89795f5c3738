import type { VpcEndpointRecord } from '../../world/model.js';
import { Ec2Error } from '../errors.js';
import { applyFilters, type FilterTable } from '../filters.js';
import { vpcEndpointXml } from '../render.js';
import type { ActionContext, Ec2Action } from './types.js';

function endpointFilters(ctx: ActionContext): FilterTable<VpcEndpointRecord> {
  return {
    tags: () => ({}),
    fields: {
      'vpc-endpoint-id': (e) => e.id,
      'vpc-endpoint-type': (e) => e.type,
      'vpc-endpoint-state': (e) => e.state,
      'service-name': (e) => e.serviceName,
      'vpc-id': () => ctx.world.vpcId,
    },
  };
}

/** DescribeVpcEndpoints (VpcEndpointId.N, filters): gateway and interface endpoints. */
export const DescribeVpcEndpoints: Ec2Action = {
  mutating: false,
  run(ctx) {
    const ids = ctx.params.list('VpcEndpointId');
    const selected =
      ids.length === 0
        ? [...ctx.world.vpcEndpoints.values()]
        : ids.map((id) => {
            const endpoint = ctx.world.vpcEndpoints.get(id);
            if (!endpoint) {
              throw new Ec2Error(
                'InvalidVpcEndpointId.NotFound',
                `The Vpc Endpoint Id '${id}' does not exist`,
              );
            }
            return endpoint;
          });
    const endpoints = applyFilters(selected, ctx.params.filters(), endpointFilters(ctx));
    return { vpcEndpointSet: endpoints.map((e) => vpcEndpointXml(ctx.world, e)) };
  },
};

interface PrefixList {
  readonly id: string;
  readonly name: string;
}

/** The AWS-managed prefix lists the topology's gateway endpoint routes name. */
function prefixLists(ctx: ActionContext): PrefixList[] {
  const lists = new Map<string, PrefixList>();
  for (const e of ctx.world.vpcEndpoints.values()) {
    if (e.prefixListId) lists.set(e.prefixListId, { id: e.prefixListId, name: e.serviceName });
  }
  return [...lists.values()];
}

/** DescribeManagedPrefixLists (PrefixListId.N, filters prefix-list-id, prefix-list-name, owner-id). */
export const DescribeManagedPrefixLists: Ec2Action = {
  mutating: false,
  run(ctx) {
    const ids = ctx.params.list('PrefixListId');
    const all = prefixLists(ctx);
    const selected = ids.length === 0 ? all : all.filter((p) => ids.includes(p.id));
    const filtered = applyFilters(selected, ctx.params.filters(), {
      fields: {
        'prefix-list-id': (p) => p.id,
        'prefix-list-name': (p) => p.name,
        'owner-id': () => 'AWS',
      },
    });
    return {
      prefixListSet: filtered.map((p) => ({
        prefixListId: p.id,
        addressFamily: 'IPv4',
        state: 'create-complete',
        prefixListArn: `arn:aws:ec2:${ctx.world.region}:aws:prefix-list/${p.id}`,
        prefixListName: p.name,
        maxEntries: 0,
        version: 1,
        ownerId: 'AWS',
        tagSet: [],
      })),
    };
  },
};
