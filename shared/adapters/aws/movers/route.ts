import {
  DescribeRouteTablesCommand,
  type EC2Client,
  ReplaceRouteCommand,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import type { NodeConfig, RouteResource } from '../../../config/schema';
import { ResourceNotFoundError } from '../../../domain/errors';
import type { MoveOptions, VerifyOptions } from '../../../ports/mover';
import { mapEc2Error } from '../ec2-errors';
import { PartsMover } from './parts-mover';

/** Where the route points in one table. */
interface TableRoute {
  table: string;
  /** Undefined: the table has no route for the destination. */
  eni?: string;
  instanceId?: string;
  /** Any other target (internet gateway, NAT gateway, ...), for messages. */
  other?: string;
  /** `blackhole` when the target ENI or instance is gone or stopped. */
  state?: string;
}

/**
 * Points a destination CIDR (0.0.0.0/0 through a NAT instance, or an overlay /32 outside the
 * VPC CIDR as a cross-AZ private VIP) at the target node's ENI with ReplaceRoute, in every
 * listed route table, in the declared order.
 */
export class RouteMover extends PartsMover<TableRoute> {
  protected readonly describeCall = 'DescribeRouteTables';

  constructor(
    private readonly resource: RouteResource,
    nodes: readonly NodeConfig[],
    ec2: EC2Client,
    verify?: Partial<VerifyOptions>,
  ) {
    super(`route ${resource.destination} in ${resource.routeTables.join(',')}`, nodes, ec2, verify);
  }

  protected isOn(route: TableRoute, node: NodeConfig): boolean {
    return route.eni !== undefined && route.eni === node.eni;
  }

  protected async point(route: TableRoute, node: NodeConfig, options: MoveOptions): Promise<string> {
    const call = `ReplaceRoute ${this.resource.destination} in ${route.table} -> ${node.eni} (${node.id})`;
    await options.beforeMutation?.(call);
    try {
      await this.ec2.send(
        new ReplaceRouteCommand({
          RouteTableId: route.table,
          DestinationCidrBlock: this.resource.destination,
          NetworkInterfaceId: node.eni,
        }),
      );
    } catch (error) {
      throw mapEc2Error(error, call);
    }
    return call;
  }

  protected called(node: NodeConfig): string {
    return `ReplaceRoute to ${node.id} (${node.eni})`;
  }

  /** `0.0.0.0/0: rtb-0a -> eni-0b (nat-b); rtb-0c -> ...`. */
  protected partsText(routes: readonly TableRoute[], owners: readonly (string | undefined)[]): string {
    const parts = routes.map((r, i) => `${r.table} -> ${this.describeTarget(r, owners[i])}`);
    return `${this.resource.destination}: ${parts.join('; ')}`;
  }

  protected ownerOf(route: TableRoute): string | undefined {
    const node = this.nodes.find(
      (n) =>
        (route.eni !== undefined && n.eni === route.eni) ||
        // A route created with an instance target may show only the instance.
        (route.eni === undefined && route.instanceId !== undefined && n.instanceId === route.instanceId),
    );
    return node?.id;
  }

  private describeTarget(route: TableRoute, owner: string | undefined): string {
    if (route.eni === undefined && route.instanceId === undefined) {
      return route.other ? `${route.other} (not a node of the group)` : 'no such route';
    }
    const target = route.eni ?? route.instanceId;
    const state = route.state && route.state !== 'active' ? `, ${route.state}` : '';
    return `${target} (${owner ?? 'not a node of the group'}${state})`;
  }

  protected async describe(): Promise<TableRoute[]> {
    const tables = this.resource.routeTables;
    const what = `DescribeRouteTables ${tables.join(',')}`;
    let found: RouteTable[];
    try {
      const out = await this.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: tables }));
      found = out.RouteTables ?? [];
    } catch (error) {
      throw mapEc2Error(error, what);
    }
    return tables.map((table) => {
      const rt = found.find((t) => t.RouteTableId === table);
      if (!rt)
        throw new ResourceNotFoundError('InvalidRouteTableID.NotFound', `${what}: no route table ${table}`);
      const route = rt.Routes?.find((r) => r.DestinationCidrBlock === this.resource.destination);
      if (!route) return { table };
      const other =
        route.GatewayId ?? route.NatGatewayId ?? route.TransitGatewayId ?? route.VpcPeeringConnectionId;
      return {
        table,
        ...(route.NetworkInterfaceId ? { eni: route.NetworkInterfaceId } : {}),
        ...(route.InstanceId ? { instanceId: route.InstanceId } : {}),
        ...(other ? { other } : {}),
        ...(route.State ? { state: route.State } : {}),
      };
    });
  }
}
