import {
  DescribeRouteTablesCommand,
  type EC2Client,
  ReplaceRouteCommand,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { mapEc2Error } from '../aws/ec2-errors';
import type { NodeConfig, RouteResource } from '../config/schema';
import { ResourceNotFoundError, VerificationError } from '../errors';
import type { Holding } from '../model';
import { defaultVerify, type MoveOptions, type MoveOutcome, type Mover, type VerifyOptions } from './mover';
import { readBack } from './read-back';

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
export class RouteMover implements Mover {
  readonly key: string;
  private readonly verify: VerifyOptions;

  constructor(
    private readonly resource: RouteResource,
    private readonly nodes: readonly NodeConfig[],
    private readonly ec2: EC2Client,
    verify?: Partial<VerifyOptions>,
  ) {
    this.key = `route ${resource.destination} in ${resource.routeTables.join(',')}`;
    this.verify = { ...defaultVerify(), ...verify };
  }

  async observe(): Promise<Holding> {
    return this.holding(await this.describe());
  }

  async moveTo(node: NodeConfig, options: MoveOptions = {}): Promise<MoveOutcome> {
    const before = await this.describe();
    const calls: string[] = [];
    for (const route of before) {
      if (route.eni !== undefined && route.eni === node.eni) continue;
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
      calls.push(call);
    }
    if (calls.length === 0) {
      return { resource: this.key, changed: false, calls, detail: this.holding(before).detail };
    }
    const { view, ok } = await readBack(
      this.verify,
      () => this.describe(),
      (routes) => routes.every((r) => r.eni !== undefined && r.eni === node.eni),
    );
    if (!ok) {
      throw new VerificationError(
        `${this.key}: ReplaceRoute to ${node.id} (${node.eni}) returned, but DescribeRouteTables did not show it after ${this.verify.attempts} reads (last: ${this.holding(view).detail})`,
      );
    }
    return { resource: this.key, changed: true, calls, detail: this.holding(view).detail };
  }

  /** The holder is the node every table points to; tables that disagree are a split. */
  private holding(routes: readonly TableRoute[]): Holding {
    const owners = routes.map((r) => this.ownerOf(r));
    const first = owners[0];
    const agreed = first !== undefined && owners.every((o) => o === first) ? first : undefined;
    const parts = routes.map((r, i) => `${r.table} -> ${this.describeTarget(r, owners[i])}`);
    const prefix = agreed === undefined && routes.length > 1 ? 'split: ' : '';
    return {
      resource: this.key,
      node: agreed,
      detail: `${prefix}${this.resource.destination}: ${parts.join('; ')}`,
    };
  }

  private ownerOf(route: TableRoute): string | undefined {
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

  private async describe(): Promise<TableRoute[]> {
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
