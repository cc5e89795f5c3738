import {
  DescribeRouteTablesCommand,
  type EC2Client,
  ReplaceRouteTableAssociationCommand,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { mapEc2Error } from '../aws/ec2-errors';
import type { NodeConfig, RouteTableAssociationResource } from '../config/schema';
import { ResourceNotFoundError, VerificationError } from '../errors';
import type { Holding } from '../model';
import { defaultVerify, type MoveOptions, type MoveOutcome, type Mover, type VerifyOptions } from './mover';
import { readBack } from './read-back';

/** The explicit association of one subnet, if it has one. */
interface SubnetAssociation {
  subnet: string;
  table?: string;
  associationId?: string;
}

const STALE_ASSOCIATION = 'InvalidAssociationID.NotFound';

/**
 * Re-associates subnets with the target node's own route table (whose default route points
 * at that node) with ReplaceRouteTableAssociation. The call names the subnet's current
 * association id, so it acts as a guard: if someone re-associated the subnet since we looked,
 * EC2 refuses the stale id, and the mover looks again and retries once with the fresh id.
 */
export class RouteTableAssociationMover implements Mover {
  readonly key: string;
  private readonly verify: VerifyOptions;

  constructor(
    private readonly resource: RouteTableAssociationResource,
    private readonly nodes: readonly NodeConfig[],
    private readonly ec2: EC2Client,
    verify?: Partial<VerifyOptions>,
  ) {
    this.key = `route-table-association ${resource.subnets.join(',')}`;
    this.verify = { ...defaultVerify(), ...verify };
  }

  async observe(): Promise<Holding> {
    return this.holding(await this.describe());
  }

  async moveTo(node: NodeConfig, options: MoveOptions = {}): Promise<MoveOutcome> {
    const before = await this.describe();
    const calls: string[] = [];
    for (const association of before) {
      if (association.table !== undefined && association.table === node.routeTable) continue;
      const call = await this.replace(association, node, options);
      if (call) calls.push(call);
    }
    if (calls.length === 0) {
      return { resource: this.key, changed: false, calls, detail: this.holding(before).detail };
    }
    const { view, ok } = await readBack(
      this.verify,
      () => this.describe(),
      (all) => all.every((a) => a.table !== undefined && a.table === node.routeTable),
    );
    if (!ok) {
      throw new VerificationError(
        `${this.key}: ReplaceRouteTableAssociation to ${node.id} (${node.routeTable}) returned, but DescribeRouteTables did not show it after ${this.verify.attempts} reads (last: ${this.holding(view).detail})`,
      );
    }
    return { resource: this.key, changed: true, calls, detail: this.holding(view).detail };
  }

  /** Replaces one subnet's association; returns the call made, or undefined if a re-read shows it done. */
  private async replace(
    association: SubnetAssociation,
    node: NodeConfig,
    options: MoveOptions,
    retried = false,
  ): Promise<string | undefined> {
    const { subnet, associationId } = association;
    if (associationId === undefined) {
      throw new ResourceNotFoundError(
        'InvalidAssociationID.NotFound',
        `${this.key}: subnet ${subnet} has no explicit route table association (it uses the main table), so there is no association to replace; associate it once with a route table (AssociateRouteTable)`,
      );
    }
    const call = `ReplaceRouteTableAssociation ${subnet} (${associationId}, was ${association.table}) -> ${node.routeTable} (${node.id})`;
    await options.beforeMutation?.(call);
    try {
      await this.ec2.send(
        new ReplaceRouteTableAssociationCommand({
          AssociationId: associationId,
          RouteTableId: node.routeTable,
        }),
      );
      return call;
    } catch (error) {
      const mapped = mapEc2Error(error, call);
      const stale = mapped instanceof ResourceNotFoundError && mapped.code === STALE_ASSOCIATION;
      if (!stale || retried) throw mapped;
    }
    // Someone replaced the association after our read: look again, then act on what is there now.
    const fresh = (await this.describe([subnet]))[0];
    if (fresh?.table !== undefined && fresh.table === node.routeTable) return undefined;
    return this.replace(fresh ?? { subnet }, node, options, true);
  }

  /** The holder is the node whose route table every subnet is associated with. */
  private holding(associations: readonly SubnetAssociation[]): Holding {
    const owners = associations.map(
      (a) => this.nodes.find((n) => n.routeTable !== undefined && n.routeTable === a.table)?.id,
    );
    const first = owners[0];
    const agreed = first !== undefined && owners.every((o) => o === first) ? first : undefined;
    const parts = associations.map((a, i) =>
      a.table === undefined
        ? `${a.subnet} -> main table (no explicit association)`
        : `${a.subnet} -> ${a.table} (${owners[i] ?? 'not a node of the group'}, ${a.associationId})`,
    );
    const prefix = agreed === undefined && associations.length > 1 ? 'split: ' : '';
    return { resource: this.key, node: agreed, detail: `${prefix}${parts.join('; ')}` };
  }

  private async describe(subnets: readonly string[] = this.resource.subnets): Promise<SubnetAssociation[]> {
    const what = `DescribeRouteTables association.subnet-id=${subnets.join(',')}`;
    const tables: RouteTable[] = [];
    let token: string | undefined;
    try {
      do {
        const out = await this.ec2.send(
          new DescribeRouteTablesCommand({
            Filters: [{ Name: 'association.subnet-id', Values: [...subnets] }],
            ...(token ? { NextToken: token } : {}),
          }),
        );
        tables.push(...(out.RouteTables ?? []));
        token = out.NextToken;
      } while (token);
    } catch (error) {
      throw mapEc2Error(error, what);
    }
    return subnets.map((subnet) => {
      for (const table of tables) {
        const a = table.Associations?.find(
          (x) => x.SubnetId === subnet && x.Main !== true && isLive(x.AssociationState?.State),
        );
        if (a?.RouteTableAssociationId && table.RouteTableId) {
          return { subnet, table: table.RouteTableId, associationId: a.RouteTableAssociationId };
        }
      }
      return { subnet };
    });
  }
}

/** Associations being removed (or already removed) do not route the subnet. */
function isLive(state: string | undefined): boolean {
  return state === undefined || state === 'associated' || state === 'associating';
}
