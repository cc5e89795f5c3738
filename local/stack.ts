import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { parseConfig } from '../shared/config/load';
import type { ArbiterConfig } from '../shared/config/schema';
import { type FaultSettingsInput, type LocalCloud, startLocalCloud } from './cloud/index';
import {
  type FrontProxy,
  type NodeFleet,
  publicIpUpstream,
  startFrontProxy,
  startNodeFleet,
} from './nodes/index';
import { LOCAL_CREDENTIALS, type LocalDynamo, startLocalDynamo } from './runtime/dynamo';
import { LocalRuntime, type RuntimeOptions } from './runtime/runtime';

/** Options of the whole local stack. */
export interface StackOptions {
  configPath: string;
  topologyPath: string;
  faults?: FaultSettingsInput;
  seed?: number;
  /** Node servers on free ports (default true); the effective config points at them. */
  ephemeralPorts?: boolean;
  /** Fixed ports for the emulators (default: free ports). */
  ports?: { ec2?: number; sns?: number; dynamodb?: number; proxy?: number };
  /** Where the effective config and the function logs go (default: a new temp dir). */
  workDir?: string;
  runtime?: Pick<
    RuntimeOptions,
    'probeEverySeconds' | 'probeTimeoutSeconds' | 'reconcileEverySeconds' | 'streamPollMs' | 'schedules'
  >;
}

/** Everything running: the cloud, DynamoDB, nodes, the front proxy and the Lambda runtime. */
export interface LocalStack {
  cloud: LocalCloud;
  dynamo: LocalDynamo;
  nodes: NodeFleet;
  /** Forwards "the Elastic IP" (the first EIP of the first group) to its holder. */
  proxy: FrontProxy | undefined;
  runtime: LocalRuntime;
  config: ArbiterConfig;
  /** The config the functions run with (node ports filled in). */
  configPath: string;
  topicArn: string;
  workDir: string;
  /** The environment lines that point the SDK, the AWS CLI and `serverless invoke local` here. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Starts the local cloud (EC2 + SNS emulators), dynalite, one node server per instance, the
 * front proxy and the local Lambda runtime with the given config. Everything listens on
 * 127.0.0.1 only.
 */
export async function startStack(options: StackOptions): Promise<LocalStack> {
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'ha-arbiter-'));
  mkdirSync(join(workDir, 'logs'), { recursive: true });
  const cleanups: Array<() => Promise<void>> = [];
  try {
    const cloud = await startLocalCloud({
      topology: resolve(options.topologyPath),
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.ports?.ec2 ? { ec2Port: options.ports.ec2 } : {}),
      ...(options.ports?.sns ? { snsPort: options.ports.sns } : {}),
    });
    cleanups.push(() => cloud.close());
    const nodes = await startNodeFleet(cloud, { ephemeralPorts: options.ephemeralPorts ?? true });
    cleanups.push(() => nodes.close());
    const { config, path: configPath } = effectiveConfig(options.configPath, cloud, workDir);
    const dynamo = await startLocalDynamo({
      ...(options.ports?.dynamodb ? { port: options.ports.dynamodb } : {}),
    });
    cleanups.push(() => dynamo.close());

    const topicName = cloud.topology.sns.topics[0] ?? 'ha-arbiter-alerts';
    const topicArn = cloud.topicArn(topicName);
    const env: Record<string, string> = {
      AWS_REGION: cloud.region,
      AWS_DEFAULT_REGION: cloud.region,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_EC2: cloud.ec2Endpoint,
      AWS_ENDPOINT_URL_SNS: cloud.snsEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      TABLE_NAME: dynamo.tableName,
      TOPIC_ARN: topicArn,
      CONFIG_PATH: configPath,
    };
    const runtime = new LocalRuntime({
      config,
      configPath,
      dynamo,
      env,
      logDir: join(workDir, 'logs'),
      ...options.runtime,
    });
    cleanups.push(() => runtime.stop());

    const eip = config.groups.flatMap((g) => g.resources).find((r) => r.kind === 'elastic-ip');
    const publicIp = eip
      ? cloud.topology.elasticIps.find((e) => e.allocationId === eip.allocationId)?.publicIp
      : undefined;
    const proxy = publicIp
      ? await startFrontProxy({
          resolve: publicIpUpstream(cloud.dataPath, publicIp),
          ...(options.ports?.proxy ? { port: options.ports.proxy } : {}),
        })
      : undefined;
    if (proxy) cleanups.push(() => proxy.close());

    let stopped = false;
    return {
      cloud,
      dynamo,
      nodes,
      proxy,
      runtime,
      config,
      configPath,
      topicArn,
      workDir,
      env,
      async stop() {
        if (stopped) return;
        stopped = true;
        for (const c of cleanups.reverse()) await c().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    throw error;
  }
}

/**
 * The user's config with each node's probe port set to the port its instance's node server
 * listens on (the topology's endpoints), written next to the logs. Addresses stay loopback.
 */
function effectiveConfig(
  path: string,
  cloud: LocalCloud,
  workDir: string,
): { config: ArbiterConfig; path: string } {
  const text = readFileSync(path, 'utf8');
  parseConfig(text, path); // fail early with the user's path in the message
  const doc = parseDocument(text);
  const raw = doc.toJS() as {
    groups?: Array<{ nodes?: Array<{ instanceId?: string; address?: string; port?: number }> }>;
  };
  for (const group of raw.groups ?? []) {
    for (const node of group.nodes ?? []) {
      const endpoint = cloud.world.instances().find((i) => i.id === node.instanceId)?.endpoint;
      if (!endpoint) continue;
      const [host, port] = endpoint.split(':');
      node.address = host ?? '127.0.0.1';
      node.port = Number(port);
    }
  }
  const out = join(workDir, 'arbiter.yml');
  writeFileSync(
    out,
    `# Generated from ${resolve(path)} with the local node ports filled in.\n${JSON.stringify(raw, null, 2)}\n`,
  );
  return { config: parseConfig(readFileSync(out, 'utf8'), out), path: out };
}
