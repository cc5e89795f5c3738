import { DescribeInstanceStatusCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { describeInstanceSignals } from '../../../shared/adapters/aws/instances';
import { ThrottledError } from '../../../shared/domain/errors';
import { makeGroup } from '../../helpers/config';
import { ec2Error } from '../../helpers/ec2';

const ec2Mock = mockClient(EC2Client);
afterEach(() => ec2Mock.reset());

const group = makeGroup();
const launched = new Date('2025-01-01T10:00:00Z');

describe('describeInstanceSignals', () => {
  it('asks for every node, including stopped ones, and reports state, impairment and launch time by node', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        { Instances: [{ InstanceId: 'i-01', State: { Name: 'running' }, LaunchTime: launched }] },
        { Instances: [{ InstanceId: 'i-02', State: { Name: 'stopped' } }] },
      ],
    });
    ec2Mock.on(DescribeInstanceStatusCommand).resolves({
      InstanceStatuses: [
        { InstanceId: 'i-01', InstanceStatus: { Status: 'ok' }, SystemStatus: { Status: 'impaired' } },
        { InstanceId: 'i-02', InstanceStatus: { Status: 'not-applicable' }, SystemStatus: { Status: 'ok' } },
      ],
    });
    const signals = await describeInstanceSignals(new EC2Client({ region: 'us-east-1' }), group.nodes);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]!.args[0].input).toEqual({
      InstanceIds: ['i-01', 'i-02'],
    });
    expect(ec2Mock.commandCalls(DescribeInstanceStatusCommand)[0]!.args[0].input).toEqual({
      InstanceIds: ['i-01', 'i-02'],
      IncludeAllInstances: true,
    });
    expect(signals).toEqual({
      'lb-1': { instanceId: 'i-01', state: 'running', impaired: true, launchTime: launched.getTime() },
      'lb-2': { instanceId: 'i-02', state: 'stopped', impaired: false },
    });
  });

  it('leaves out instances EC2 does not report', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-02', State: { Name: 'running' } }] }],
    });
    ec2Mock.on(DescribeInstanceStatusCommand).resolves({ InstanceStatuses: [] });
    const signals = await describeInstanceSignals(new EC2Client({ region: 'us-east-1' }), group.nodes);
    expect(Object.keys(signals)).toEqual(['lb-2']);
  });

  it('reports an instance EC2 no longer knows (terminated long ago) as terminated, not as an error', async () => {
    // EC2 fails the whole call when one id is unknown; the other nodes must still be judged.
    const gone = ec2Error('InvalidInstanceID.NotFound', "The instance ID 'i-02' does not exist");
    ec2Mock.on(DescribeInstancesCommand, { InstanceIds: ['i-01', 'i-02'] }).rejects(gone);
    ec2Mock.on(DescribeInstanceStatusCommand, { InstanceIds: ['i-01', 'i-02'] }).rejects(gone);
    ec2Mock
      .on(DescribeInstancesCommand, { InstanceIds: ['i-01'] })
      .resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-01', State: { Name: 'running' } }] }] });
    ec2Mock.on(DescribeInstanceStatusCommand, { InstanceIds: ['i-01'] }).resolves({ InstanceStatuses: [] });
    ec2Mock.on(DescribeInstancesCommand, { InstanceIds: ['i-02'] }).rejects(gone);
    ec2Mock.on(DescribeInstanceStatusCommand, { InstanceIds: ['i-02'] }).rejects(gone);
    const signals = await describeInstanceSignals(new EC2Client({ region: 'us-east-1' }), group.nodes);
    expect(signals).toEqual({
      'lb-1': { instanceId: 'i-01', state: 'running', impaired: false },
      'lb-2': { instanceId: 'i-02', state: 'terminated', impaired: false },
    });
  });

  it('maps a failure to a typed error naming the call', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(ec2Error('RequestLimitExceeded', 'slow down'));
    ec2Mock.on(DescribeInstanceStatusCommand).resolves({});
    const error = await describeInstanceSignals(new EC2Client({ region: 'us-east-1' }), group.nodes).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as Error).message).toBe('DescribeInstances i-01,i-02: RequestLimitExceeded: slow down');
  });
});
