import {
  DescribeRouteTablesCommand,
  type EC2Client,
  ReplaceRouteTableAssociationCommand,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import type { NodeConfig, RouteTableAssociationResource } from '../../../config/schema';
import { ResourceNotFoundError } from '../../../domain/errors';
import type { MoveOptions, VerifyOptions } from '../../../ports/mover';
import { mapEc2Error } from '../ec2-errors';
import { PartsMover } from './parts-mover';

/** The explicit association of one subnet, if it has one. */
export interface SubnetAssociation {
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
export class RouteTableAssociationMover extends PartsMover<SubnetAssociation> {
  protected readonly describeCall = 'DescribeRouteTables';

  constructor(
    private readonly resource: RouteTableAssociationResource,
    nodes: readonly NodeConfig[],
    ec2: EC2Client,
    verify?: Partial<VerifyOptions>,
  ) {
    super(`route-table-association ${resource.subnets.join(',')}`, nodes, ec2, verify);
  }

  protected isOn(association: SubnetAssociation, node: NodeConfig): boolean {
    return association.table !== undefined && association.table === node.routeTable;
  }

  protected called(node: NodeConfig): string {
    return `ReplaceRouteTableAssociation to ${node.id} (${node.routeTable})`;
  }

  /** Replaces one subnet's association; returns the call made, or undefined if a re-read shows it done. */
  protected async point(
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
    //   t0  we read association A        t1  another actor replaces A -> B
    //   t2  our Replace(A) is refused      t3  a Describe may still show A (EC2's eventual
    //                                          consistency): read again until it shows another
    //                                          id, within the read-back bounds.
    let fresh = (await this.describe([subnet]))[0];
    for (let read = 1; fresh?.associationId === associationId && read < this.verify.attempts; read += 1) {
      await this.verify.sleep(this.verify.delayMs);
      fresh = (await this.describe([subnet]))[0];
    }
    if (fresh?.table !== undefined && fresh.table === node.routeTable) return undefined;
    return this.point(fresh ?? { subnet }, node, options, true);
  }

  /** The node whose route table the subnet is associated with. */
  protected ownerOf(association: SubnetAssociation): string | undefined {
    return this.nodes.find((n) => n.routeTable !== undefined && n.routeTable === association.table)?.id;
  }

  /** `subnet-0a -> rtb-0b (nat-b, rtbassoc-0c); ...`. */
  protected partsText(
    associations: readonly SubnetAssociation[],
    owners: readonly (string | undefined)[],
  ): string {
    return associations
      .map((a, i) =>
        a.table === undefined
          ? `${a.subnet} -> main table (no explicit association)`
          : `${a.subnet} -> ${a.table} (${owners[i] ?? 'not a node of the group'}, ${a.associationId})`,
      )
      .join('; ');
  }

  protected async describe(subnets: readonly string[] = this.resource.subnets): Promise<SubnetAssociation[]> {
    try {
      return await subnetAssociations(this.ec2, subnets);
    } catch (error) {
      throw mapEc2Error(error, `DescribeRouteTables association.subnet-id=${subnets.join(',')}`);
    }
  }
}

/**
 * Each subnet's live explicit route table association (the id ReplaceRouteTableAssociation
 * needs), from every page of DescribeRouteTables; `{ subnet }` alone where it has none. The
 * mover and the readiness DryRun read it alike. SDK errors pass through unmapped.
 */
export async function subnetAssociations(
  ec2: EC2Client,
  subnets: readonly string[],
): Promise<SubnetAssociation[]> {
  const tables: RouteTable[] = [];
  let token: string | undefined;
  do {
    const out = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [{ Name: 'association.subnet-id', Values: [...subnets] }],
        ...(token ? { NextToken: token } : {}),
      }),
    );
    tables.push(...(out.RouteTables ?? []));
    token = out.NextToken;
  } while (token);
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

/** Associations being removed (or already removed) do not route the subnet. */
function isLive(state: string | undefined): boolean {
  return state === undefined || state === 'associated' || state === 'associating';
}
