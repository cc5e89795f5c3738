import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DisassociateAddressCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ARBITER_STACK, FIXTURE_STACK, Outputs } from '../../../infra/sandbox/fixture';
import { AwsCli, type Exec, primaryEnis } from '../../../scripts/sandbox/aws';
import { SANDBOX_CONFIG, sandboxConfig } from '../../../scripts/sandbox/config';
import { down, type Lifecycle, leftoversText, serverlessArgs, up } from '../../../scripts/sandbox/lifecycle';

const ec2Mock = mockClient(EC2Client);
afterEach(() => ec2Mock.reset());

const OUTPUTS: Record<string, string> = {
  [Outputs.vpc]: 'vpc-0a1b2c3d4e5f60000',
  [Outputs.subnetA]: 'subnet-0a1b2c3d4e5f60001',
  [Outputs.subnetB]: 'subnet-0a1b2c3d4e5f60002',
  [Outputs.routeTable]: 'rtb-0a1b2c3d4e5f60001',
  [Outputs.node1]: 'i-0a1b2c3d4e5f60001',
  [Outputs.node2]: 'i-0a1b2c3d4e5f60002',
  [Outputs.node1Ip]: '10.77.1.10',
  [Outputs.node2Ip]: '10.77.2.10',
  [Outputs.allocation]: 'eipalloc-0a1b2c3d4e5f60001',
  [Outputs.publicIp]: '198.51.100.20',
  [Outputs.queueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
  [Outputs.queueArn]: 'arn:aws:sqs:eu-west-1:123456789012:q',
};
const ENIS = { 'lb-1': 'eni-0a1b2c3d4e5f60001', 'lb-2': 'eni-0a1b2c3d4e5f60002' };

describe('sandboxConfig', () => {
  it('writes a config the runtime schema accepts, from the fixture outputs', () => {
    const { text, config } = sandboxConfig(OUTPUTS, ENIS);
    expect(text).toContain('# Written by `npm run sandbox -- up`');
    expect(config.vpc).toBe('vpc-0a1b2c3d4e5f60000');
    expect(config.vantages.map((v) => [v.id, v.subnet, v.routeTable])).toEqual([
      ['az-a', 'subnet-0a1b2c3d4e5f60001', 'rtb-0a1b2c3d4e5f60001'],
      ['az-b', 'subnet-0a1b2c3d4e5f60002', 'rtb-0a1b2c3d4e5f60001'],
    ]);
    const group = config.groups[0]!;
    expect(group.nodes.map((n) => [n.id, n.instanceId, n.address, n.eni, n.priority])).toEqual([
      ['lb-1', 'i-0a1b2c3d4e5f60001', '10.77.1.10', 'eni-0a1b2c3d4e5f60001', 200],
      ['lb-2', 'i-0a1b2c3d4e5f60002', '10.77.2.10', 'eni-0a1b2c3d4e5f60002', 100],
    ]);
    expect(group.resources).toEqual([
      { kind: 'elastic-ip', allocationId: 'eipalloc-0a1b2c3d4e5f60001', publicIp: '198.51.100.20' },
    ]);
    expect(group.check).toMatchObject({ type: 'http', port: 80, path: '/healthz' });
  });

  it('names a missing output, a missing ENI and a value the schema refuses', () => {
    const { [Outputs.vpc]: _, ...noVpc } = OUTPUTS;
    expect(() => sandboxConfig(noVpc, ENIS)).toThrow('the fixture stack has no output VpcId');
    expect(() => sandboxConfig(OUTPUTS, { 'lb-1': ENIS['lb-1'] })).toThrow(
      'no network interface found for lb-2',
    );
    expect(() => sandboxConfig({ ...OUTPUTS, [Outputs.node2]: 'x-123' }, ENIS)).toThrow(/instanceId/);
  });
});

describe('primaryEnis', () => {
  it('takes each instance’s interface at device index 0', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-1',
              NetworkInterfaces: [
                { NetworkInterfaceId: 'eni-other', Attachment: { DeviceIndex: 1 } },
                { NetworkInterfaceId: 'eni-primary', Attachment: { DeviceIndex: 0 } },
              ],
            },
          ],
        },
      ],
    });
    expect(await primaryEnis(new EC2Client({ region: 'eu-west-1' }), ['i-1'])).toEqual({
      'i-1': 'eni-primary',
    });
  });
});

/** A scripted `aws`/`npx`: the stacks exist until deleted; log groups as given. */
function fakeCloud(
  options: { logGroups?: string[]; removeFails?: boolean; fixtureDeleteFails?: boolean } = {},
) {
  const stacks = new Set([FIXTURE_STACK, ARBITER_STACK]);
  let logGroups = [...(options.logGroups ?? [])];
  const calls: string[] = [];
  const ok = (stdout = '') => ({ code: 0, stdout, stderr: '' });
  const exec: Exec = async (command, args) => {
    const line = [command, ...args].join(' ');
    calls.push(line.replace(/ --region eu-west-1( --output json)?$/, ''));
    if (command === 'npx') {
      if (options.removeFails) return { code: 1, stdout: '', stderr: 'boom' };
      stacks.delete(ARBITER_STACK);
      return ok();
    }
    const [service, action] = args;
    const name = args[args.indexOf('--stack-name') + 1] ?? '';
    if (service === 'cloudformation' && action === 'describe-stacks') {
      if (!stacks.has(name))
        return {
          code: 254,
          stdout: '',
          stderr: `An error occurred (ValidationError): Stack with id ${name} does not exist`,
        };
      const outputs =
        name === FIXTURE_STACK
          ? Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }))
          : [];
      return ok(JSON.stringify({ Stacks: [{ Outputs: outputs }] }));
    }
    if (service === 'cloudformation' && action === 'describe-stack-resource')
      return ok(JSON.stringify({ StackResourceDetail: { PhysicalResourceId: 'bucket-1' } }));
    if (service === 'cloudformation' && action === 'delete-stack') {
      if (!(name === FIXTURE_STACK && options.fixtureDeleteFails)) stacks.delete(name);
      return ok();
    }
    if (service === 'logs' && action === 'describe-log-groups')
      return ok(JSON.stringify({ logGroups: logGroups.map((logGroupName) => ({ logGroupName })) }));
    if (service === 'logs' && action === 'delete-log-group') {
      const n = args[args.indexOf('--log-group-name') + 1];
      logGroups = logGroups.filter((g) => g !== n);
      return ok();
    }
    return ok();
  };
  return { exec, calls, stacks };
}

function lifecycle(exec: Exec, root: string): Lifecycle {
  return {
    root,
    cli: new AwsCli(exec, 'eu-west-1'),
    exec,
    ec2: new EC2Client({ region: 'eu-west-1' }),
    say: () => undefined,
    sleep: async () => undefined,
  };
}

describe('down', () => {
  it('removes the arbiter, waits for its Lambda ENIs, deletes the fixture and finds nothing left', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sandbox-down-'));
    writeFileSync(join(root, SANDBOX_CONFIG), 'x');
    const cloud = fakeCloud({ logGroups: [`/aws/lambda/${ARBITER_STACK}-probe-az-a`] });
    ec2Mock
      .on(DescribeNetworkInterfacesCommand)
      .resolvesOnce({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-lambda' }] })
      .resolves({ NetworkInterfaces: [] });
    ec2Mock
      .on(DescribeAddressesCommand)
      .resolvesOnce({
        Addresses: [{ AllocationId: 'eipalloc-0a1b2c3d4e5f60001', AssociationId: 'eipassoc-on-lb-2' }],
      })
      .rejects(Object.assign(new Error('gone'), { name: 'InvalidAllocationID.NotFound' }));
    ec2Mock.on(DisassociateAddressCommand).resolves({});
    const left = await down(lifecycle(cloud.exec, root), false);
    // Taken off the node the arbiter left it on, before the fixture (and so the address) goes.
    expect(ec2Mock.commandCalls(DisassociateAddressCommand).map((c) => c.args[0].input)).toEqual([
      { AssociationId: 'eipassoc-on-lb-2' },
    ]);
    expect(left).toEqual({ stacks: [], elasticIps: [], enis: [], logGroups: [] });
    expect(cloud.calls).toContain(`npx ${serverlessArgs('remove', 'eu-west-1').join(' ')}`);
    const order = [
      'npx serverless remove',
      `delete-stack --stack-name ${FIXTURE_STACK}`,
      'delete-log-group',
    ].map((s) => cloud.calls.findIndex((c) => c.includes(s)));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(ec2Mock.commandCalls(DescribeNetworkInterfacesCommand)[0]!.args[0].input.Filters).toEqual([
      { Name: 'vpc-id', Values: ['vpc-0a1b2c3d4e5f60000'] },
      { Name: 'interface-type', Values: ['lambda'] },
    ]);
    expect(existsSync(join(root, SANDBOX_CONFIG))).toBe(false);
    expect(leftoversText(left, false, 'eu-west-1')).toMatch(
      /^nothing left behind in eu-west-1: both stacks deleted, the Elastic IP released/,
    );
  });

  it('keeps the log groups with keepLogs and says so', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sandbox-down-'));
    const cloud = fakeCloud({ logGroups: [`/aws/lambda/${ARBITER_STACK}-arbiter`] });
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    const left = await down(lifecycle(cloud.exec, root), true);
    expect(cloud.calls.some((c) => c.includes('delete-log-group'))).toBe(false);
    expect(leftoversText(left, true, 'eu-west-1')).toContain('log groups kept (--keep-logs)');
  });

  it('empties the deployment bucket and deletes the stack itself when serverless remove fails', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sandbox-down-'));
    const cloud = fakeCloud({ removeFails: true });
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [] });
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    await down(lifecycle(cloud.exec, root), false);
    expect(cloud.calls).toContain('aws s3 rm s3://bucket-1 --recursive');
    expect(cloud.calls).toContain(`aws cloudformation delete-stack --stack-name ${ARBITER_STACK}`);
    expect(cloud.stacks.size).toBe(0);
  });

  it('lists what is left behind: a stack, the Elastic IP, an ENI', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sandbox-down-'));
    writeFileSync(join(root, SANDBOX_CONFIG), 'kept');
    const cloud = fakeCloud({ fixtureDeleteFails: true });
    ec2Mock
      .on(DescribeNetworkInterfacesCommand)
      .resolves({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-stuck' }] });
    ec2Mock
      .on(DescribeAddressesCommand)
      .resolves({ Addresses: [{ AllocationId: 'eipalloc-0a1b2c3d4e5f60001' }] });
    const left = await down(lifecycle(cloud.exec, root), false, 0);
    expect(left).toEqual({
      stacks: [FIXTURE_STACK],
      elasticIps: ['eipalloc-0a1b2c3d4e5f60001'],
      enis: ['eni-stuck'],
      logGroups: [],
    });
    expect(leftoversText(left, false, 'eu-west-1')).toBe(
      `LEFT BEHIND in eu-west-1: stack ${FIXTURE_STACK}, Elastic IP eipalloc-0a1b2c3d4e5f60001, network interface eni-stuck`,
    );
    // The config stays while a stack does: down can be run again.
    expect(readFileSync(join(root, SANDBOX_CONFIG), 'utf8')).toBe('kept');
  });
});

describe('up', () => {
  it('deploys the tagged fixture, writes the validated config, deploys the arbiter and subscribes the queue', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sandbox-up-'));
    const stacks = new Set<string>();
    const calls: string[] = [];
    const exec: Exec = async (command, args) => {
      calls.push([command, ...args].join(' ').replace(/ --region eu-west-1( --output json)?$/, ''));
      if (command === 'npx') {
        // serverless packages the config it is given: it must exist and be valid by now.
        expect(readFileSync(join(root, SANDBOX_CONFIG), 'utf8')).toContain('eni-0a1b2c3d4e5f60002');
        stacks.add(ARBITER_STACK);
        return { code: 0, stdout: '', stderr: '' };
      }
      const name = args[args.indexOf('--stack-name') + 1] ?? '';
      if (args[1] === 'deploy') stacks.add(name);
      if (args[1] === 'describe-stacks') {
        if (!stacks.has(name)) return { code: 254, stdout: '', stderr: 'Stack with id x does not exist' };
        const outputs =
          name === FIXTURE_STACK
            ? Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }))
            : [
                { OutputKey: 'TableName', OutputValue: 'ha-arbiter-sandbox-Table-1' },
                {
                  OutputKey: 'AlertTopicArn',
                  OutputValue: 'arn:aws:sns:eu-west-1:123456789012:ha-arbiter-sandbox-AlertTopic-1',
                },
              ];
        return { code: 0, stdout: JSON.stringify({ Stacks: [{ Outputs: outputs }] }), stderr: '' };
      }
      return { code: 0, stdout: '', stderr: '' };
    };
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-0a1b2c3d4e5f60001',
              NetworkInterfaces: [{ NetworkInterfaceId: ENIS['lb-1'], Attachment: { DeviceIndex: 0 } }],
            },
            {
              InstanceId: 'i-0a1b2c3d4e5f60002',
              NetworkInterfaces: [{ NetworkInterfaceId: ENIS['lb-2'], Attachment: { DeviceIndex: 0 } }],
            },
          ],
        },
      ],
    });
    let steadyFor: string | undefined;
    await up(lifecycle(exec, root), '198.51.100.7/32', async (_l, sandbox) => {
      steadyFor = `${sandbox.tableName} ${sandbox.publicIp} ${sandbox.config.groups[0]!.id}`;
    });
    const deploy = calls.find((c) => c.startsWith('aws cloudformation deploy'))!;
    expect(deploy).toContain(`--stack-name ${FIXTURE_STACK}`);
    expect(deploy).toContain('--capabilities CAPABILITY_IAM');
    expect(deploy).toContain('--parameter-overrides OperatorCidr=198.51.100.7/32');
    expect(deploy).toContain('--tags ha-arbiter:sandbox=true');
    expect(
      JSON.parse(readFileSync(join(root, '.sandbox', 'fixture.json'), 'utf8')).Parameters.AmiId.Default,
    ).toBe('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64');
    expect(calls).toContain(`npx ${serverlessArgs('deploy', 'eu-west-1').join(' ')}`);
    expect(serverlessArgs('deploy', 'eu-west-1')).toEqual([
      'serverless',
      'deploy',
      '--stage',
      'sandbox',
      '--region',
      'eu-west-1',
      '--param=config=arbiter.sandbox.yml',
    ]);
    expect(calls).toContain(
      'aws sns subscribe --topic-arn arn:aws:sns:eu-west-1:123456789012:ha-arbiter-sandbox-AlertTopic-1 --protocol sqs --notification-endpoint arn:aws:sqs:eu-west-1:123456789012:q',
    );
    expect(steadyFor).toBe('ha-arbiter-sandbox-Table-1 198.51.100.20 sandbox-web');
    expect(JSON.parse(readFileSync(join(root, '.sandbox', 'state.json'), 'utf8'))).toEqual({
      region: 'eu-west-1',
    });
  });
});
