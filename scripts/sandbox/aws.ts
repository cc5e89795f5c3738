import { spawn } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DisassociateAddressCommand,
  EC2Client,
  StartInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoStore } from '../../shared/adapters/dynamo/dynamo-store';
import type { ArbiterConfig } from '../../shared/config/schema';
import { startSampler } from './client';
import { type DrillPorts, instanceIdOf } from './drill-run';
import { alertFromEnvelope, BreakKind, type ReceivedAlert } from './measure';

/** Runs a program; `stream` copies its output to stderr as it comes (long deploys). */
export type Exec = (
  command: string,
  args: readonly string[],
  options?: { stream?: boolean },
) => Promise<{ code: number; stdout: string; stderr: string }>;

/** The real Exec: a child process, no shell. */
export const realExec: Exec = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (options.stream) process.stderr.write(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (options.stream) process.stderr.write(d);
    });
    child.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ENOENT'
        ? resolve({ code: 127, stdout, stderr: `${command}: not found` })
        : reject(error),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });

/** A failed `aws` command, with its first error line. */
export class AwsCliError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly stderr: string,
  ) {
    super(`aws ${args.slice(0, 2).join(' ')} failed: ${firstLine(stderr)}`);
    this.name = 'AwsCliError';
  }
}

const firstLine = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l.length > 0) ?? '(no output)';

/** The AWS CLI v2 in one region, answering JSON. */
export class AwsCli {
  constructor(
    private readonly exec: Exec,
    readonly region: string,
  ) {}

  /** Runs `aws <args>` and parses its JSON answer (an empty answer is `{}`). */
  async json<T = Record<string, unknown>>(args: readonly string[], stream = false): Promise<T> {
    const full = [...args, '--region', this.region, '--output', 'json'];
    const out = await this.exec('aws', full, { stream });
    if (out.code !== 0) throw new AwsCliError(args, out.stderr);
    return (out.stdout.trim() ? JSON.parse(out.stdout) : {}) as T;
  }

  /** Runs `aws <args>` for its effect (text output, e.g. `cloudformation deploy`, `s3 rm`). */
  async run(args: readonly string[], stream = false): Promise<string> {
    const out = await this.exec('aws', [...args, '--region', this.region], { stream });
    if (out.code !== 0) throw new AwsCliError(args, out.stderr);
    return out.stdout;
  }

  /** The outputs of a stack, or undefined when it does not exist. */
  async stackOutputs(stack: string): Promise<Record<string, string> | undefined> {
    try {
      const out = await this.json<{
        Stacks?: Array<{ Outputs?: Array<{ OutputKey: string; OutputValue: string }> }>;
      }>(['cloudformation', 'describe-stacks', '--stack-name', stack]);
      const outputs = out.Stacks?.[0]?.Outputs ?? [];
      return Object.fromEntries(outputs.map((o) => [o.OutputKey, o.OutputValue]));
    } catch (error) {
      if (error instanceof AwsCliError && /does not exist/.test(error.stderr)) return undefined;
      throw error;
    }
  }

  /** The physical id of a stack's resource, or undefined. */
  async physicalId(stack: string, logicalId: string): Promise<string | undefined> {
    try {
      const out = await this.json<{ StackResourceDetail?: { PhysicalResourceId?: string } }>([
        'cloudformation',
        'describe-stack-resource',
        '--stack-name',
        stack,
        '--logical-resource-id',
        logicalId,
      ]);
      return out.StackResourceDetail?.PhysicalResourceId;
    } catch (error) {
      if (error instanceof AwsCliError && /does not exist/.test(error.stderr)) return undefined;
      throw error;
    }
  }

  /** Deletes a stack and waits until it is gone (no-op when it does not exist). */
  async deleteStack(stack: string): Promise<void> {
    await this.json(['cloudformation', 'delete-stack', '--stack-name', stack]);
    await this.run(['cloudformation', 'wait', 'stack-delete-complete', '--stack-name', stack], true);
  }

  /** Log groups whose names start with `prefix`. */
  async logGroups(prefix: string): Promise<string[]> {
    const out = await this.json<{ logGroups?: Array<{ logGroupName: string }> }>([
      'logs',
      'describe-log-groups',
      '--log-group-name-prefix',
      prefix,
    ]);
    return (out.logGroups ?? []).map((g) => g.logGroupName);
  }

  /** Drains up to 10 messages of the alert queue (each deleted once read). */
  async receiveAlerts(queueUrl: string): Promise<ReceivedAlert[]> {
    const out = await this.json<{
      Messages?: Array<{ ReceiptHandle: string; Body: string; Attributes?: { SentTimestamp?: string } }>;
    }>([
      'sqs',
      'receive-message',
      '--queue-url',
      queueUrl,
      '--max-number-of-messages',
      '10',
      '--wait-time-seconds',
      '1',
      '--attribute-names',
      'SentTimestamp',
    ]);
    const alerts: ReceivedAlert[] = [];
    for (const m of out.Messages ?? []) {
      // SentTimestamp: when SNS delivered it to the queue, which is the alert's arrival.
      const sent = Number(m.Attributes?.SentTimestamp);
      let body: unknown;
      try {
        body = JSON.parse(m.Body);
      } catch {
        body = undefined;
      }
      const alert = body
        ? alertFromEnvelope(body as never, Number.isFinite(sent) ? sent : Date.now())
        : undefined;
      if (alert) alerts.push(alert);
      await this.json([
        'sqs',
        'delete-message',
        '--queue-url',
        queueUrl,
        '--receipt-handle',
        m.ReceiptHandle,
      ]);
    }
    return alerts;
  }
}

/**
 * Whether the SDK's default credential chain finds credentials (environment, shared files, SSO,
 * process, container, instance metadata), within `timeoutMs`. Nothing is sent to AWS: the
 * chain only resolves them.
 */
export async function findCredentials(
  region: string,
  timeoutMs = 5000,
): Promise<{ ok: boolean; reason?: string }> {
  const client = new EC2Client({ region });
  let timer: NodeJS.Timeout | undefined;
  try {
    const credentials = client.config.credentials;
    const found = await Promise.race([
      credentials(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
    return found.accessKeyId
      ? { ok: true }
      : { ok: false, reason: 'the credential chain returned no access key' };
  } catch (error) {
    return { ok: false, reason: firstLine((error as Error).message) };
  } finally {
    clearTimeout(timer);
    client.destroy();
  }
}

/** The primary network interface of each instance, by instance id. */
export async function primaryEnis(ec2: EC2Client, instanceIds: string[]): Promise<Record<string, string>> {
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: instanceIds }));
  const enis: Record<string, string> = {};
  for (const r of out.Reservations ?? []) {
    for (const i of r.Instances ?? []) {
      const eni = i.NetworkInterfaces?.find((n) => n.Attachment?.DeviceIndex === 0)?.NetworkInterfaceId;
      if (i.InstanceId && eni) enis[i.InstanceId] = eni;
    }
  }
  return enis;
}

/** Lambda network interfaces still in the VPC (they outlive their functions for a while). */
export async function lambdaEnis(ec2: EC2Client, vpcId: string): Promise<string[]> {
  const out = await ec2.send(
    new DescribeNetworkInterfacesCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'interface-type', Values: ['lambda'] },
      ],
    }),
  );
  return (out.NetworkInterfaces ?? []).map((n) => n.NetworkInterfaceId ?? '?');
}

/** Whether an Elastic IP allocation still exists (false once released). */
export async function allocationExists(ec2: EC2Client, allocationId: string): Promise<boolean> {
  try {
    const out = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocationId] }));
    return (out.Addresses ?? []).length > 0;
  } catch (error) {
    if ((error as Error).name === 'InvalidAllocationID.NotFound') return false;
    throw error;
  }
}

/**
 * Disassociates the Elastic IP wherever the arbiter left it, so deleting the fixture can release
 * it: the stack placed it on the first node, the arbiter may have moved it since.
 * @returns the association removed, if there was one.
 */
export async function detachAddress(ec2: EC2Client, allocationId: string): Promise<string | undefined> {
  let associationId: string | undefined;
  try {
    const out = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [allocationId] }));
    associationId = out.Addresses?.[0]?.AssociationId;
  } catch (error) {
    if ((error as Error).name === 'InvalidAllocationID.NotFound') return undefined;
    throw error;
  }
  if (associationId) await ec2.send(new DisassociateAddressCommand({ AssociationId: associationId }));
  return associationId;
}

/** Commands that break and restore nginx through SSM Run Command. */
export const SSM_COMMANDS = {
  [BreakKind.STOP_NGINX]: { break: ['systemctl stop nginx'], restore: ['systemctl start nginx'] },
  // Every nginx process stopped: connections are still accepted by the kernel, never answered.
  [BreakKind.HANG]: { break: ['pkill -STOP -x nginx'], restore: ['pkill -CONT -x nginx'] },
} as const;

/**
 * Runs shell commands on an instance through SSM Run Command and waits for them to finish.
 * @returns when SSM says the commands finished on the instance (epoch ms), if it says.
 * @throws Error when the command does not succeed within `timeoutMs`.
 */
export async function runOnInstance(
  ssm: SSMClient,
  instanceId: string,
  commands: readonly string[],
  sleep: (ms: number) => Promise<void>,
  timeoutMs = 60_000,
): Promise<number | undefined> {
  const sent = await ssm.send(
    new SendCommandCommand({
      InstanceIds: [instanceId],
      DocumentName: 'AWS-RunShellScript',
      Parameters: { commands: [...commands] },
      TimeoutSeconds: 30,
    }),
  );
  const commandId = sent.Command?.CommandId;
  if (!commandId) throw new Error('SSM SendCommand returned no command id');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await sleep(500);
    try {
      const out = await ssm.send(
        new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }),
      );
      if (out.Status === 'Success') {
        const ended = out.ExecutionEndDateTime ? Date.parse(out.ExecutionEndDateTime) : Number.NaN;
        return Number.isFinite(ended) ? ended : undefined;
      }
      if (out.Status && !['Pending', 'InProgress', 'Delayed'].includes(out.Status))
        throw new Error(
          `${commands.join('; ')} on ${instanceId}: ${out.Status} ${out.StandardErrorContent ?? ''}`.trim(),
        );
    } catch (error) {
      // The invocation appears a moment after SendCommand answers.
      if ((error as Error).name !== 'InvocationDoesNotExist') throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`${commands.join('; ')} on ${instanceId}: no result within ${timeoutMs / 1000} s`);
  }
}

/** What the drill needs to know about a deployed sandbox. */
export interface DeployedSandbox {
  config: ArbiterConfig;
  tableName: string;
  queueUrl: string;
  publicIp: string;
}

/**
 * The drill's ports on a real account: nginx broken and restored through SSM Run Command (or
 * the instance stopped and started through EC2), the client through the Elastic IP from this
 * machine, the group's rows through the store adapter, the alert from the SQS queue.
 */
export function awsPorts(
  cli: AwsCli,
  sandbox: DeployedSandbox,
  say: (line: string) => void,
  clients: { ec2?: EC2Client; ssm?: SSMClient } = {},
): DrillPorts {
  const group = sandbox.config.groups[0];
  if (!group) throw new Error('the sandbox config has no group');
  const ec2 = clients.ec2 ?? new EC2Client({ region: cli.region });
  const ssm = clients.ssm ?? new SSMClient({ region: cli.region });
  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
  const instanceOf = (node: string) => instanceIdOf(group, node);
  return {
    group,
    store: new DynamoStore({
      tableName: sandbox.tableName,
      client: new DynamoDBClient({ region: cli.region }),
      groups: [group],
    }),
    now: Date.now,
    sleep,
    startClient: (intervalMs) => startSampler(`http://${sandbox.publicIp}/`, intervalMs),
    async breakNode(node, kind) {
      const id = instanceOf(node);
      if (kind === BreakKind.STOP_INSTANCE) {
        await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
        return undefined;
      }
      return runOnInstance(ssm, id, SSM_COMMANDS[kind].break, sleep);
    },
    async restoreNode(node, kind) {
      const id = instanceOf(node);
      // A stopped instance can only start once it is fully stopped.
      if (kind === BreakKind.STOP_INSTANCE) {
        const deadline = Date.now() + 5 * 60_000;
        for (;;) {
          try {
            await ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
            return;
          } catch (error) {
            if ((error as Error).name !== 'IncorrectInstanceState' || Date.now() > deadline) throw error;
            await sleep(5_000);
          }
        }
      }
      await runOnInstance(ssm, id, SSM_COMMANDS[kind].restore, sleep);
    },
    takeAlerts: () => cli.receiveAlerts(sandbox.queueUrl),
    say,
  };
}
