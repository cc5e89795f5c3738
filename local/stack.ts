import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { parseConfig } from '../shared/config/load';
import type { ArbiterConfig } from '../shared/config/schema';
import { type FaultSettingsInput, type LocalCloud, startLocalCloud } from './cloud/index';
import {
  type EgressForwarder,
  type FrontProxy,
  type NatState,
  type NodeFleet,
  type OutsideTarget,
  publicIpUpstream,
  startEgressForwarder,
  startFrontProxy,
  startNodeFleet,
  startOutsideTarget,
} from './nodes/index';
import { type LocalPage, startLocalPage } from './page/server';
import { snapshotReader } from './page/snapshot';
import { LOCAL_CREDENTIALS, type LocalDynamo, startLocalDynamo } from './runtime/dynamo';
import { LocalRuntime, type RuntimeOptions } from './runtime/runtime';
import { StackWatcher } from './watch';

/** Options of the whole local stack. */
export interface StackOptions {
  configPath: string;
  topologyPath: string;
  faults?: FaultSettingsInput;
  seed?: number;
  /** Node servers on free ports (default true); the effective config points at them. */
  ephemeralPorts?: boolean;
  /** Fixed ports for the emulators (default: free ports). */
  ports?: { ec2?: number; sns?: number; dynamodb?: number; proxy?: number; page?: number };
  /** Where the effective config and the function logs go (default: a new temp dir). */
  workDir?: string;
  runtime?: Pick<
    RuntimeOptions,
    'probeEverySeconds' | 'probeTimeoutSeconds' | 'reconcileEverySeconds' | 'streamPollMs' | 'schedules'
  >;
}

/** The NAT data path of a topology with `egress`: the outside target and one forwarder per subnet. */
export interface LocalEgress {
  outside: OutsideTarget;
  /** By subnet id. */
  forwarders: Map<string, EgressForwarder>;
}

/** Everything running: the cloud, DynamoDB, nodes, the front proxy and the Lambda runtime. */
export interface LocalStack {
  cloud: LocalCloud;
  dynamo: LocalDynamo;
  nodes: NodeFleet;
  /** Forwards "the Elastic IP" (the first EIP of the first group) to its holder. */
  proxy: FrontProxy | undefined;
  /** The NAT data path, when the topology declares `egress`. */
  egress: LocalEgress | undefined;
  runtime: LocalRuntime;
  /** The page on 127.0.0.1: holder per group, per-vantage verdicts, readiness, the timeline. */
  page: LocalPage;
  config: ArbiterConfig;
  /** The config the functions run with (node ports filled in). */
  configPath: string;
  topicArn: string;
  workDir: string;
  /**
   * The environment that points the SDK, the AWS CLI, `npm run invoke` and
   * `serverless invoke local --stage local` here (printed by `npm run local` as `exportLines`).
   */
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
    const ephemeral = options.ephemeralPorts ?? true;
    const egress = await startEgress(cloud, nodes, ephemeral);
    if (egress) {
      cleanups.push(async () => {
        await Promise.all([...egress.forwarders.values()].map((f) => f.close()));
        await egress.outside.close();
      });
    }
    const endpointMap = new Map<string, string>();
    for (const f of cloud.topology.egress?.forwarders ?? []) {
      const running = egress?.forwarders.get(f.subnet);
      if (running) endpointMap.set(f.endpoint, running.endpoint);
    }
    const outsideAt = cloud.topology.egress?.outside;
    if (outsideAt && egress) endpointMap.set(outsideAt, egress.outside.endpoint);
    const { config, path: configPath } = effectiveConfig(options.configPath, cloud, workDir, endpointMap);
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
    const stack: Omit<LocalStack, 'page'> = {
      cloud,
      dynamo,
      nodes,
      proxy,
      egress,
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
    const page = await startPage(stack, options.ports?.page);
    cleanups.push(() => page.close());
    return { ...stack, page };
  } catch (error) {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    throw error;
  }
}

/** The local page over the stack's endpoints, with its own timeline of the stack. */
async function startPage(stack: Omit<LocalStack, 'page'>, port = 0): Promise<LocalPage> {
  const watcher = new StackWatcher(stack);
  try {
    const page = await startLocalPage(
      snapshotReader({
        config: stack.config,
        region: stack.cloud.region,
        ec2Endpoint: stack.cloud.ec2Endpoint,
        dynamoEndpoint: stack.dynamo.endpoint,
        tableName: stack.dynamo.tableName,
        credentials: LOCAL_CREDENTIALS,
        events: () => watcher.events,
      }),
      port,
    );
    return {
      url: page.url,
      close: async () => {
        watcher.stop();
        await page.close();
      },
    };
  } catch (error) {
    watcher.stop();
    throw error;
  }
}

/**
 * The NAT data path of the topology's `egress` section: the outside target, then a forwarder per
 * subnet that follows the data-path view (so the propagation delay applies) and the NAT nodes.
 */
async function startEgress(
  cloud: LocalCloud,
  nodes: NodeFleet,
  ephemeral: boolean,
): Promise<LocalEgress | undefined> {
  const spec = cloud.topology.egress;
  if (!spec) return undefined;
  const portOf = (endpoint: string | undefined) =>
    ephemeral || !endpoint ? 0 : Number(endpoint.split(':')[1]);
  const outside = await startOutsideTarget({ port: portOf(spec.outside) });
  const forwarders = new Map<string, EgressForwarder>();
  const natState = (instanceId: string): NatState => {
    if (cloud.world.instance(instanceId)?.state !== 'running') return 'down';
    let status: string;
    try {
      status = nodes.node(instanceId).status();
    } catch {
      return 'up'; // an instance without a node server: EC2 state alone decides
    }
    return status === 'down' ? 'down' : status === 'hung' ? 'hung' : 'up';
  };
  try {
    for (const f of spec.forwarders) {
      forwarders.set(
        f.subnet,
        await startEgressForwarder({
          subnet: f.subnet,
          view: cloud.dataPath,
          natState,
          outside: outside.endpoint,
          port: portOf(f.endpoint),
        }),
      );
    }
  } catch (error) {
    await Promise.all([...forwarders.values()].map((f) => f.close()));
    await outside.close();
    throw error;
  }
  return { outside, forwarders };
}

/** An egress target (`{host, port}` or `{url}`) moved from a topology endpoint to the one running. */
function remapTarget(target: { host?: string; port?: number; url?: string }, endpoints: Map<string, string>) {
  if (target.url !== undefined) {
    const url = new URL(target.url);
    const to = endpoints.get(url.host);
    if (to) {
      url.host = to;
      target.url = url.toString();
    }
  } else if (target.host !== undefined && target.port !== undefined) {
    const to = endpoints.get(`${target.host}:${target.port}`);
    if (to) target.port = Number(to.split(':')[1]);
  }
}

/**
 * The user's config with each node's probe port set to the port its instance's node server
 * listens on (the topology's endpoints), and egress targets that name a topology forwarder or
 * outside endpoint moved to the port it runs on, written next to the logs. Addresses stay loopback.
 */
function effectiveConfig(
  path: string,
  cloud: LocalCloud,
  workDir: string,
  endpoints: Map<string, string> = new Map(),
): { config: ArbiterConfig; path: string } {
  const text = readFileSync(path, 'utf8');
  parseConfig(text, path); // fail early with the user's path in the message
  const doc = parseDocument(text);
  const raw = doc.toJS() as {
    groups?: Array<{
      check?: { type?: string; targets?: Array<{ host?: string; port?: number; url?: string }> };
      nodes?: Array<{ instanceId?: string; address?: string; port?: number }>;
    }>;
  };
  for (const group of raw.groups ?? []) {
    if (group.check?.type === 'egress') {
      for (const target of group.check.targets ?? []) remapTarget(target, endpoints);
    }
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

/**
 * The serverless.yml stage for `serverless invoke local` against this stack: its params
 * (`params.local`) take TABLE_NAME, TOPIC_ARN and CONFIG_PATH from the environment instead of
 * `!Ref`s to the deployed stack's table and topic, which osls would look up in CloudFormation.
 */
export const INVOKE_LOCAL_STAGE = 'local';

/** The region osls uses when no `--region` is given (serverless.yml `provider.region`). */
const SERVERLESS_DEFAULT_REGION = 'us-east-1';

/** A word for a POSIX shell: as is when it is safe, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `export NAME=value` lines for a POSIX shell (what `npm run local` prints and writes to local.env). */
export function exportLines(env: Record<string, string>): string[] {
  return Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
}

/**
 * The arguments after `npx` that invoke one function of this repository's serverless.yml in
 * this process against the stack: `serverless invoke local --stage local -f <fn> --data <json>`
 * (and `--region` when the stack's is not osls's default; osls sets AWS_REGION from it).
 */
export function invokeLocalArgs(fn: string, payload: unknown, region = SERVERLESS_DEFAULT_REGION): string[] {
  return [
    'serverless',
    'invoke',
    'local',
    '--stage',
    INVOKE_LOCAL_STAGE,
    ...(region === SERVERLESS_DEFAULT_REGION ? [] : ['--region', region]),
    '-f',
    fn,
    '--data',
    JSON.stringify(payload),
  ];
}

/** Commands to try in a shell with `exportLines` set, for the first group of the stack's config. */
export function exampleCommands(stack: Pick<LocalStack, 'config' | 'cloud'>): string[] {
  const region = stack.cloud.region;
  const invokeLocal = (fn: string, payload: unknown) =>
    `npx ${invokeLocalArgs(fn, payload, region).map(shellQuote).join(' ')}`;
  const group = stack.config.groups[0];
  if (!group) return [`${invokeLocal('preflight', { format: 'text' })} | jq -r .`];
  const standby = group.nodes.at(-1)?.id;
  const textStatus = { group: group.id, format: 'text' };
  return [
    `${invokeLocal('status', textStatus)} | jq -r .`,
    invokeLocal('failover', { group: group.id, to: standby, dryRun: true }),
    `npm run invoke -- status ${shellQuote(JSON.stringify(textStatus))}   # the same handlers, no bundling: quicker`,
    'aws ec2 describe-addresses   # the AWS CLI reads the same AWS_ENDPOINT_URL_* variables',
  ];
}
