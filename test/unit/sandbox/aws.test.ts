import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsCli, AwsCliError, runOnInstance, SSM_COMMANDS } from '../../../scripts/sandbox/aws';

const ssmMock = mockClient(SSMClient);
afterEach(() => ssmMock.reset());
const noWait = async () => undefined;

describe('runOnInstance', () => {
  it('sends the shell commands and returns when SSM says they ended on the instance', async () => {
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'c-1' } });
    ssmMock
      .on(GetCommandInvocationCommand)
      .rejectsOnce(Object.assign(new Error('not yet'), { name: 'InvocationDoesNotExist' }))
      .resolvesOnce({ Status: 'InProgress' })
      .resolves({ Status: 'Success', ExecutionEndDateTime: '2026-12-01T10:00:01.500Z' });
    const ended = await runOnInstance(
      new SSMClient({ region: 'eu-west-1' }),
      'i-1',
      SSM_COMMANDS.hang.break,
      noWait,
    );
    expect(ended).toBe(Date.parse('2026-12-01T10:00:01.500Z'));
    expect(ssmMock.commandCalls(SendCommandCommand)[0]!.args[0].input).toMatchObject({
      InstanceIds: ['i-1'],
      DocumentName: 'AWS-RunShellScript',
      Parameters: { commands: ['pkill -STOP -x nginx'] },
    });
    expect(ssmMock.commandCalls(GetCommandInvocationCommand)).toHaveLength(3);
  });

  it('fails with the command, the instance and the status when the command does not succeed', async () => {
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'c-2' } });
    ssmMock
      .on(GetCommandInvocationCommand)
      .resolves({ Status: 'Failed', StandardErrorContent: 'Unit nginx.service not found.' });
    await expect(
      runOnInstance(new SSMClient({ region: 'eu-west-1' }), 'i-2', SSM_COMMANDS['stop-nginx'].break, noWait),
    ).rejects.toThrow('systemctl stop nginx on i-2: Failed Unit nginx.service not found.');
  });
});

describe('AwsCli', () => {
  it('adds the region and JSON output, and names the failing command with its first error line', async () => {
    const calls: string[][] = [];
    const cli = new AwsCli(async (command, args) => {
      calls.push([command, ...args]);
      return { code: 254, stdout: '', stderr: '\nAn error occurred (AccessDenied) when calling X\nmore' };
    }, 'ap-southeast-2');
    const error = await cli.json(['sqs', 'receive-message', '--queue-url', 'u']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AwsCliError);
    expect((error as Error).message).toBe(
      'aws sqs receive-message failed: An error occurred (AccessDenied) when calling X',
    );
    expect(calls[0]).toEqual([
      'aws',
      'sqs',
      'receive-message',
      '--queue-url',
      'u',
      '--region',
      'ap-southeast-2',
      '--output',
      'json',
    ]);
  });

  it('reads alerts from the queue through their SNS envelope and deletes each one', async () => {
    const calls: string[] = [];
    const envelope = {
      Type: 'Notification',
      Subject: '[ha-arbiter] sandbox-web: failed over lb-1 -> lb-2 (down)',
      Timestamp: '2026-12-01T10:00:07.000Z',
      MessageAttributes: { event: { Type: 'String', Value: 'failover-succeeded' } },
    };
    const cli = new AwsCli(async (_command, args) => {
      calls.push(args.slice(0, 2).join(' '));
      if (args[1] === 'receive-message') {
        const Messages = [
          {
            ReceiptHandle: 'r1',
            Body: JSON.stringify(envelope),
            Attributes: { SentTimestamp: String(Date.parse('2026-12-01T10:00:07.120Z')) },
          },
          { ReceiptHandle: 'r2', Body: 'not json' },
        ];
        return { code: 0, stdout: JSON.stringify({ Messages }), stderr: '' };
      }
      return { code: 0, stdout: '', stderr: '' };
    }, 'eu-west-1');
    expect(await cli.receiveAlerts('u')).toEqual([
      {
        event: 'failover-succeeded',
        subject: envelope.Subject,
        publishedAt: Date.parse('2026-12-01T10:00:07.000Z'),
        receivedAt: Date.parse('2026-12-01T10:00:07.120Z'),
      },
    ]);
    expect(calls).toEqual(['sqs receive-message', 'sqs delete-message', 'sqs delete-message']);
  });
});
