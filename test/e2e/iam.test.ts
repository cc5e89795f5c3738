import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { AssociateAddressCommand, DescribeAddressesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { marshall } from '@aws-sdk/util-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startStack } from '../../local/stack';
import { keys } from '../../shared/adapters/dynamo/keys';
import { CONFIG, TOPOLOGY } from './stack-helpers';

/** What a test checks of an SDK error. */
async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await call;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('the call was expected to fail');
}

describe("The local stack enforces each function's generated IAM policy", () => {
  let stack: LocalStack;
  let prober: { accessKeyId: string; secretAccessKey: string };
  let vantage: string;
  let group: string;
  beforeAll(async () => {
    // No schedules: the test signs with the functions' own keys, as their code would.
    stack = await startStack({ configPath: CONFIG, topologyPath: TOPOLOGY, runtime: { schedules: false } });
    vantage = stack.config.vantages[0]?.id as string;
    group = stack.config.groups[0]?.id as string;
    const key = stack.cloud.auth.credentials.byName(`probe-${vantage}`);
    if (!key) throw new Error(`no credentials for probe-${vantage}`);
    prober = { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
  });
  afterAll(() => stack.stop());

  const dynamo = () =>
    new DynamoDBClient({
      endpoint: stack.dynamo.endpoint,
      region: stack.cloud.region,
      credentials: prober,
      maxAttempts: 1,
    });

  it("refuses a prober's credentials writing a group's state row (AccessDeniedException)", async () => {
    const err = await failure(
      dynamo().send(
        new PutItemCommand({
          TableName: stack.dynamo.tableName,
          Item: marshall({ pk: keys.groupPk(group), sk: keys.state, epoch: 99, owner: 'forged' }),
        }),
      ),
    );
    expect(err).toMatchObject({ name: 'AccessDeniedException', status: 400 });
    expect(err.message).toContain(`assumed-role/ha-arbiter-local-probe-${vantage}-role`);
    expect(err.message).toContain('is not authorized to perform: dynamodb:PutItem on resource:');
  });

  it("allows the same credentials on the prober's own heartbeat row", async () => {
    await expect(
      dynamo().send(
        new PutItemCommand({
          TableName: stack.dynamo.tableName,
          Item: marshall({ pk: keys.heartbeatPk(vantage), sk: keys.heartbeat, vantage, at: Date.now() }),
        }),
      ),
    ).resolves.toBeDefined();
  });

  it('refuses a prober an EC2 move (UnauthorizedOperation) and an SNS publish (AuthorizationError)', async () => {
    const ec2 = new EC2Client({ ...stack.cloud.clientConfig('ec2'), credentials: prober, maxAttempts: 1 });
    const eip = stack.cloud.topology.elasticIps[0];
    const eni = stack.cloud.world.instances()[0]?.networkInterfaceIds[0];
    const move = await failure(
      ec2.send(new AssociateAddressCommand({ AllocationId: eip?.allocationId, NetworkInterfaceId: eni })),
    );
    expect(move).toMatchObject({ name: 'UnauthorizedOperation', status: 403 });
    expect(move.message).toContain('is not authorized to perform: ec2:AssociateAddress');
    expect(move.message).toContain('Encoded authorization failure message:');
    // A prober may not even describe: its role has no EC2 read.
    expect((await failure(ec2.send(new DescribeAddressesCommand({})))).name).toBe('UnauthorizedOperation');

    const sns = new SNSClient({ ...stack.cloud.clientConfig('sns'), credentials: prober, maxAttempts: 1 });
    const publish = await failure(
      sns.send(new PublishCommand({ TopicArn: stack.topicArn, Message: 'forged' })),
    );
    expect(publish).toMatchObject({ name: 'AuthorizationErrorException', status: 403 });
  });

  it("lets the arbiter's credentials publish and describe", async () => {
    const key = stack.cloud.auth.credentials.byName('arbiter');
    const arbiter = {
      accessKeyId: key?.accessKeyId as string,
      secretAccessKey: key?.secretAccessKey as string,
    };
    const ec2 = new EC2Client({ ...stack.cloud.clientConfig('ec2'), credentials: arbiter, maxAttempts: 1 });
    await expect(ec2.send(new DescribeAddressesCommand({}))).resolves.toBeDefined();
    const sns = new SNSClient({ ...stack.cloud.clientConfig('sns'), credentials: arbiter, maxAttempts: 1 });
    await expect(
      sns.send(new PublishCommand({ TopicArn: stack.topicArn, Message: 'ok' })),
    ).resolves.toBeDefined();
  });
});
