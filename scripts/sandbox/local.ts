import { EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import type { SNSEvent } from 'aws-lambda';
import type { LocalStack } from '../../local/stack';
import { startStack } from '../../local/stack';
import { DynamoStore } from '../../shared/adapters/dynamo/dynamo-store';
import { startSampler } from './client';
import { type DrillPorts, instanceIdOf } from './drill-run';
import { alertFromEnvelope, BreakKind, type ReceivedAlert } from './measure';

/** The local topology that stands in for the fixture stack (`drill --local`). */
export const LOCAL_CONFIG = 'local/examples/demo.arbiter.yml';
export const LOCAL_TOPOLOGY = 'local/examples/demo.topology.yml';

/**
 * The drill's ports on the local cloud. Where an AWS call has a local counterpart it is the
 * same call over the wire (StopInstances through the SDK, the table through the store
 * adapter); the break of nginx is the node server's (no SSM in the local cloud), the alert
 * arrives through an in-process subscription instead of the SQS queue, and the client goes
 * through the front proxy that plays the Elastic IP.
 */
export function localPorts(stack: LocalStack, say: (line: string) => void): DrillPorts & { close(): void } {
  const group = stack.config.groups[0];
  if (!group) throw new Error(`${LOCAL_CONFIG} has no group`);
  const proxy = stack.proxy;
  if (!proxy) throw new Error(`${LOCAL_TOPOLOGY} has no Elastic IP for the front proxy`);
  const store = new DynamoStore({
    tableName: stack.dynamo.tableName,
    client: stack.dynamo.client,
    groups: [group],
  });
  const ec2 = new EC2Client({
    region: stack.cloud.region,
    endpoint: stack.env.AWS_ENDPOINT_URL_EC2,
    credentials: {
      accessKeyId: stack.env.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY ?? '',
    },
  });
  const inbox: ReceivedAlert[] = [];
  const unsubscribe = stack.cloud.subscribe(stack.topicArn, (event: SNSEvent) => {
    for (const record of event.Records) {
      const alert = alertFromEnvelope(record.Sns, Date.now());
      if (alert) inbox.push(alert);
    }
  });
  const instanceOf = (node: string) => instanceIdOf(group, node);
  return {
    group,
    store,
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    startClient: (intervalMs) => startSampler(`${proxy.url}/`, intervalMs),
    async breakNode(node, kind) {
      const id = instanceOf(node);
      if (kind === BreakKind.STOP_INSTANCE) await ec2.send(new StopInstancesCommand({ InstanceIds: [id] }));
      else if (kind === BreakKind.HANG) stack.nodes.node(id).hang();
      else await stack.nodes.node(id).kill();
      return undefined;
    },
    async restoreNode(node, kind) {
      const id = instanceOf(node);
      // The local cloud has no StartInstances: the instance runs again through its world model,
      // and the node server follows the instance state.
      if (kind === BreakKind.STOP_INSTANCE) stack.cloud.world.setInstanceState(id, 'running');
      await stack.nodes.node(id).revive();
    },
    takeAlerts: async () => inbox.splice(0),
    say,
    close() {
      unsubscribe();
      ec2.destroy();
    },
  };
}

/**
 * Starts the local stack of the demo topology and waits until the arbiter has recorded a
 * holder and every vantage sees every node UP: the state `up` leaves a real account in.
 */
export async function startLocalSandbox(
  say: (line: string) => void,
  readyTimeoutMs = 120_000,
): Promise<LocalStack> {
  const stack = await startStack({ configPath: LOCAL_CONFIG, topologyPath: LOCAL_TOPOLOGY });
  try {
    await stack.runtime.start();
    const group = stack.config.groups[0]!;
    const store = new DynamoStore({
      tableName: stack.dynamo.tableName,
      client: stack.dynamo.client,
      groups: stack.config.groups,
    });
    say('local cloud started; waiting for every node UP from every vantage and a recorded holder');
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      const snapshot = await store.readGroup(group.id);
      const ups = snapshot.verdicts.filter((v) => v.status === 'UP').length;
      if (snapshot.state.active && ups >= group.nodes.length * group.vantages.length) break;
      if (Date.now() > deadline)
        throw new Error(`the local stack was not ready within ${readyTimeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return stack;
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
