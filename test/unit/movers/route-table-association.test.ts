import {
  DescribeRouteTablesCommand,
  EC2Client,
  ReplaceRouteTableAssociationCommand,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { RouteTableAssociationMover } from '../../../shared/adapters/aws/movers/route-table-association';
import { ResourceNotFoundError, VerificationError } from '../../../shared/domain/errors';
import { fastVerify, node, nodes } from './fixtures';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });
const SUBNETS = ['subnet-00000000000000c01', 'subnet-00000000000000c02'];
const RTB1 = 'rtb-0000000000000a001';
const RTB2 = 'rtb-0000000000000a002';

afterEach(() => {
  ec2Mock.reset();
});

/**
 * Subnets associated with route tables; ReplaceRouteTableAssociation refuses a stale
 * association id and hands out a new id on every replace, as EC2 does.
 */
function world(initial: Record<string, string | undefined>, options: { applyReplace?: boolean } = {}) {
  let next = 100;
  const assoc: Record<string, { table: string; id: string } | undefined> = {};
  for (const [subnet, table] of Object.entries(initial)) {
    assoc[subnet] = table ? { table, id: `rtbassoc-000000000000${next++}` } : undefined;
  }
  const state = { assoc, events: [] as string[] };
  ec2Mock.on(DescribeRouteTablesCommand).callsFake((input: { Filters: { Values: string[] }[] }) => {
    const wanted = input.Filters[0]?.Values ?? [];
    const tables = new Map<string, RouteTable>();
    for (const subnet of wanted) {
      const a = state.assoc[subnet];
      if (!a) continue;
      const t = tables.get(a.table) ?? { RouteTableId: a.table, Associations: [] };
      t.Associations?.push({
        SubnetId: subnet,
        RouteTableAssociationId: a.id,
        Main: false,
        AssociationState: { State: 'associated' },
      });
      tables.set(a.table, t);
    }
    return { RouteTables: [...tables.values()] };
  });
  ec2Mock
    .on(ReplaceRouteTableAssociationCommand)
    .callsFake((input: { AssociationId: string; RouteTableId: string }) => {
      state.events.push(`send ${input.AssociationId}`);
      const subnet = Object.keys(state.assoc).find((s) => state.assoc[s]?.id === input.AssociationId);
      if (!subnet) {
        throw Object.assign(new Error(`The association ID '${input.AssociationId}' does not exist`), {
          name: 'InvalidAssociationID.NotFound',
          $metadata: {},
        });
      }
      const id = `rtbassoc-000000000000${next++}`;
      if (options.applyReplace !== false) state.assoc[subnet] = { table: input.RouteTableId, id };
      return { NewAssociationId: id };
    });
  return state;
}

const mover = (subnets = SUBNETS, attempts = 3) =>
  new RouteTableAssociationMover(
    { kind: 'route-table-association', subnets },
    nodes,
    ec2,
    fastVerify(attempts),
  );

describe('RouteTableAssociationMover', () => {
  it('observes the node whose route table every subnet is associated with', async () => {
    world({ [SUBNETS[0]!]: RTB1, [SUBNETS[1]!]: RTB1 });
    const holding = await mover().observe();
    expect(holding.node).toBe('nat-1');
    expect(ec2Mock.commandCalls(DescribeRouteTablesCommand)[0]?.args[0].input).toEqual({
      Filters: [{ Name: 'association.subnet-id', Values: SUBNETS }],
    });
  });

  it('reports a split naming each subnet when subnets are on different nodes', async () => {
    world({ [SUBNETS[0]!]: RTB1, [SUBNETS[1]!]: RTB2 });
    const holding = await mover().observe();
    expect(holding.node).toBeUndefined();
    expect(holding.detail).toMatch(
      /^split: subnet-00000000000000c01 -> rtb-0000000000000a001 \(nat-1, rtbassoc-\w+\); subnet-00000000000000c02 -> rtb-0000000000000a002 \(nat-2, rtbassoc-\w+\)$/,
    );
  });

  it('replaces each association with its current id, after the hook, and reads back', async () => {
    const state = world({ [SUBNETS[0]!]: RTB1, [SUBNETS[1]!]: RTB1 });
    const ids = SUBNETS.map((s) => state.assoc[s]?.id);
    const outcome = await mover().moveTo(node('nat-2'), {
      beforeMutation: async () => {
        state.events.push('hook');
      },
    });
    expect(state.events).toEqual(['hook', `send ${ids[0]}`, 'hook', `send ${ids[1]}`]);
    expect(ec2Mock.commandCalls(ReplaceRouteTableAssociationCommand).map((c) => c.args[0].input)).toEqual([
      { AssociationId: ids[0], RouteTableId: RTB2 },
      { AssociationId: ids[1], RouteTableId: RTB2 },
    ]);
    expect(outcome.changed).toBe(true);
    expect(outcome.detail).toContain('nat-2');
  });

  it('changes nothing when every subnet already uses the target route table', async () => {
    world({ [SUBNETS[0]!]: RTB2, [SUBNETS[1]!]: RTB2 });
    const outcome = await mover().moveTo(node('nat-2'));
    expect(outcome).toMatchObject({ changed: false, calls: [] });
    expect(ec2Mock.commandCalls(ReplaceRouteTableAssociationCommand)).toHaveLength(0);
  });

  it('looks again and retries once with the fresh id when its association id went stale', async () => {
    const state = world({ [SUBNETS[0]!]: RTB1 });
    const staleId = state.assoc[SUBNETS[0]!]?.id;
    // Someone re-associates the subnet (to the same table) between our read and our call.
    let raced = false;
    const outcome = await mover([SUBNETS[0]!]).moveTo(node('nat-2'), {
      beforeMutation: async () => {
        if (raced) return;
        raced = true;
        state.assoc[SUBNETS[0]!] = { table: RTB1, id: 'rtbassoc-00000000000099' };
      },
    });
    const sent = ec2Mock
      .commandCalls(ReplaceRouteTableAssociationCommand)
      .map((c) => c.args[0].input.AssociationId);
    expect(sent).toEqual([staleId, 'rtbassoc-00000000000099']);
    expect(outcome.changed).toBe(true);
    expect(state.assoc[SUBNETS[0]!]?.table).toBe(RTB2);
  });

  it('does not call again when the fresh look shows someone already moved it to the target', async () => {
    const state = world({ [SUBNETS[0]!]: RTB1 });
    const outcome = await mover([SUBNETS[0]!]).moveTo(node('nat-2'), {
      beforeMutation: async () => {
        state.assoc[SUBNETS[0]!] = { table: RTB2, id: 'rtbassoc-00000000000098' };
      },
    });
    expect(ec2Mock.commandCalls(ReplaceRouteTableAssociationCommand)).toHaveLength(1);
    expect(outcome.calls).toEqual([]);
    expect(outcome.changed).toBe(false);
  });

  it('gives up after one retry when the id goes stale twice', async () => {
    const state = world({ [SUBNETS[0]!]: RTB1 });
    let n = 0;
    const error = await mover([SUBNETS[0]!])
      .moveTo(node('nat-2'), {
        beforeMutation: async () => {
          n += 1;
          state.assoc[SUBNETS[0]!] = { table: RTB1, id: `rtbassoc-0000000000009${n}` };
        },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect((error as ResourceNotFoundError).code).toBe('InvalidAssociationID.NotFound');
    expect(ec2Mock.commandCalls(ReplaceRouteTableAssociationCommand)).toHaveLength(2);
  });

  it('refuses a subnet that only uses the main table, saying how to fix it', async () => {
    world({ [SUBNETS[0]!]: undefined });
    const error = await mover([SUBNETS[0]!])
      .moveTo(node('nat-2'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect((error as Error).message).toContain('AssociateRouteTable');
    expect(ec2Mock.commandCalls(ReplaceRouteTableAssociationCommand)).toHaveLength(0);
  });

  it('fails verification when Describe never shows the new association', async () => {
    world({ [SUBNETS[0]!]: RTB1 }, { applyReplace: false });
    await expect(mover([SUBNETS[0]!], 2).moveTo(node('nat-2'))).rejects.toBeInstanceOf(VerificationError);
  });
});
