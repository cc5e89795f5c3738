import {
  DescribeRouteTablesCommand,
  EC2Client,
  ReplaceRouteCommand,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { RouteMover } from '../../../shared/adapters/aws/movers/route';
import { ResourceNotFoundError, VerificationError } from '../../../shared/domain/errors';
import { fastVerify, node, nodes } from './fixtures';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });
const TABLES = ['rtb-00000000000000b01', 'rtb-00000000000000b02', 'rtb-00000000000000b03'];

afterEach(() => {
  ec2Mock.reset();
});

/** Route tables whose 0.0.0.0/0 points at the given ENI per table; ReplaceRoute changes them. */
function world(targets: Record<string, string | undefined>, options: { applyReplace?: boolean } = {}) {
  const state = { targets: { ...targets }, events: [] as string[] };
  ec2Mock.on(DescribeRouteTablesCommand).callsFake((input: { RouteTableIds: string[] }) => ({
    RouteTables: input.RouteTableIds.map(
      (id): RouteTable => ({
        RouteTableId: id,
        Routes: [
          { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' },
          ...(state.targets[id]
            ? [
                {
                  DestinationCidrBlock: '0.0.0.0/0',
                  NetworkInterfaceId: state.targets[id],
                  State: 'active' as const,
                },
              ]
            : []),
        ],
      }),
    ),
  }));
  ec2Mock.on(ReplaceRouteCommand).callsFake((input: { RouteTableId: string; NetworkInterfaceId: string }) => {
    state.events.push(`send ReplaceRoute ${input.RouteTableId}`);
    if (options.applyReplace !== false) state.targets[input.RouteTableId] = input.NetworkInterfaceId;
    return {};
  });
  return state;
}

const ENI1 = 'eni-0000000000000a001';
const ENI2 = 'eni-0000000000000a002';
const mover = (tables = TABLES, attempts = 3) =>
  new RouteMover(
    { kind: 'route', destination: '0.0.0.0/0', routeTables: tables },
    nodes,
    ec2,
    fastVerify(attempts),
  );

describe('RouteMover', () => {
  it('observes the node whose ENI every table points to', async () => {
    world(Object.fromEntries(TABLES.map((t) => [t, ENI1])));
    const holding = await mover().observe();
    expect(holding.node).toBe('nat-1');
    expect(holding.resource).toBe(`route 0.0.0.0/0 in ${TABLES.join(',')}`);
    expect(ec2Mock.commandCalls(DescribeRouteTablesCommand)[0]?.args[0].input).toEqual({
      RouteTableIds: TABLES,
    });
  });

  it('reports a split with each table when the tables disagree', async () => {
    world({ [TABLES[0]!]: ENI1, [TABLES[1]!]: ENI2, [TABLES[2]!]: undefined });
    const holding = await mover().observe();
    expect(holding.node).toBeUndefined();
    expect(holding.detail).toBe(
      `split: 0.0.0.0/0: ${TABLES[0]} -> ${ENI1} (nat-1); ${TABLES[1]} -> ${ENI2} (nat-2); ${TABLES[2]} -> no such route`,
    );
  });

  it('attributes an instance-target route to the node of that instance', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        {
          RouteTableId: TABLES[0],
          Routes: [
            { DestinationCidrBlock: '0.0.0.0/0', InstanceId: 'i-0000000000000a002', State: 'blackhole' },
          ],
        },
      ],
    });
    const holding = await mover([TABLES[0]!]).observe();
    expect(holding.node).toBe('nat-2');
    expect(holding.detail).toContain('blackhole');
  });

  it('replaces the route in each table in the declared order, each after the hook', async () => {
    const state = world({ [TABLES[0]!]: ENI1, [TABLES[1]!]: ENI1, [TABLES[2]!]: ENI1 });
    const outcome = await mover().moveTo(node('nat-2'), {
      beforeMutation: async (call) => {
        state.events.push(`hook ${call.split(' ')[3]}`);
      },
    });
    expect(state.events).toEqual(TABLES.flatMap((t) => [`hook ${t}`, `send ReplaceRoute ${t}`]));
    expect(ec2Mock.commandCalls(ReplaceRouteCommand).map((c) => c.args[0].input)).toEqual(
      TABLES.map((t) => ({ RouteTableId: t, DestinationCidrBlock: '0.0.0.0/0', NetworkInterfaceId: ENI2 })),
    );
    expect(outcome.changed).toBe(true);
    expect(outcome.calls).toHaveLength(3);
  });

  it('replaces only the tables that do not already point at the target', async () => {
    world({ [TABLES[0]!]: ENI2, [TABLES[1]!]: ENI1, [TABLES[2]!]: ENI2 });
    const outcome = await mover().moveTo(node('nat-2'));
    expect(ec2Mock.commandCalls(ReplaceRouteCommand).map((c) => c.args[0].input.RouteTableId)).toEqual([
      TABLES[1],
    ]);
    expect(outcome.calls).toEqual([`ReplaceRoute 0.0.0.0/0 in ${TABLES[1]} -> ${ENI2} (nat-2)`]);
  });

  it('changes nothing when every table already points at the target', async () => {
    world(Object.fromEntries(TABLES.map((t) => [t, ENI2])));
    const outcome = await mover().moveTo(node('nat-2'), {
      beforeMutation: async () => {
        throw new Error('must not be called');
      },
    });
    expect(outcome).toMatchObject({ changed: false, calls: [] });
    expect(ec2Mock.commandCalls(ReplaceRouteCommand)).toHaveLength(0);
  });

  it('stops before the next table when the hook refuses', async () => {
    world(Object.fromEntries(TABLES.map((t) => [t, ENI1])));
    let hooks = 0;
    await expect(
      mover().moveTo(node('nat-2'), {
        beforeMutation: async () => {
          hooks += 1;
          if (hooks === 2) throw new Error('lease lost');
        },
      }),
    ).rejects.toThrow('lease lost');
    expect(ec2Mock.commandCalls(ReplaceRouteCommand)).toHaveLength(1);
  });

  it('fails verification when a table never shows the target', async () => {
    world(Object.fromEntries(TABLES.map((t) => [t, ENI1])), { applyReplace: false });
    const error = await mover(TABLES, 2)
      .moveTo(node('nat-2'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as Error).message).toContain(`${TABLES[0]} -> ${ENI1} (nat-1)`);
  });

  it('maps a missing route to ResourceNotFoundError naming the table', async () => {
    world({ [TABLES[0]!]: undefined });
    ec2Mock
      .on(ReplaceRouteCommand)
      .rejects(Object.assign(new Error('no route'), { name: 'InvalidRoute.NotFound', $metadata: {} }));
    const error = await mover([TABLES[0]!])
      .moveTo(node('nat-2'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundError);
    expect((error as Error).message).toContain(`ReplaceRoute 0.0.0.0/0 in ${TABLES[0]}`);
  });
});
