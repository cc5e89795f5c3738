import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { parseConfig } from '../shared/config/load';
import type { ArbiterConfig } from '../shared/config/schema';
import { ConfigError } from '../shared/domain/errors';
import { functionPrincipals } from './cloud/auth/index';
import {
  type DescribeLag,
  type FaultSettingsInput,
  type LocalCloud,
  loadTopology,
  OPERATOR_CREDENTIALS,
  startLocalCloud,
  type Topology,
  TopologyError,
  type TopologyInput,
} from './cloud/index';
import { idsMissingFromTopology, topologyFromConfig } from './cloud/topology-from-config';
import {
  type EgressForwarder,
  type FrontProxy,
  type NatState,
  type NodeFleet,
  type NodeHealth,
  type OutsideTarget,
  publicIpUpstream,
  startEgressForwarder,
  startFrontProxy,
  startNodeFleet,
  startOutsideTarget,
} from './nodes/index';
import { type LocalPage, startLocalPage } from './page/server';
import { snapshotReader } from './page/snapshot';
import { type LocalDynamo, startLocalDynamo } from './runtime/dynamo';
import { LocalRuntime, type RuntimeOptions } from './runtime/runtime';
import { StackWatcher } from './watch';

/** Options of the whole local stack. */
export interface StackOptions {
  configPath: string;
  /** The local world; absent: one derived from the config (`topologyFromConfig`). */
  topologyPath?: string;
  faults?: FaultSettingsInput;
  seed?: number;
  /** EC2 Describe lag (default: AWS-like, see docs/topology.md); `0` for instant answers. */
  describeLag?: DescribeLag;
  /**
   * Local IAM enforcement (default true): every EC2, SNS and DynamoDB call of a function is
   * authorized against the policy `infra/` generates for that function's role. false: only
   * signatures are checked (`npm run local -- --iam off`).
   */
  iam?: boolean;
  /** Node servers on free ports (default true); the effective config points at them. */
  ephemeralPorts?: boolean;
  /** Fixed ports for the emulators (default: free ports). */
  ports?: { ec2?: number; sns?: number; dynamodb?: number; proxy?: number; page?: number };
  /** Where the effective config and the function logs go (default: a new temp dir, removed by `stop`). */
  workDir?: string;
  /** Keep the temp dir (logs, effective config) after `stop` (default false). */
  keepWorkDir?: boolean;
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
  /** The topology file, or `derived` when the world was built from the config. */
  topologySource: string;
  /** What the stack changed or could not provide for this config, one line each (printed by `npm run local`). */
  notes: string[];
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
  // Config and topology first: a mismatch is refused before anything listens.
  const userConfig = parseConfig(readConfigFile(options.configPath), options.configPath);
  const topology = await stackTopology(userConfig, options.topologyPath);
  const ownWorkDir = options.workDir === undefined;
  const workDir = options.workDir ?? mkdtempSync(join(tmpdir(), 'ha-arbiter-'));
  mkdirSync(join(workDir, 'logs'), { recursive: true });
  const cleanups: Array<() => Promise<void>> = [];
  if (ownWorkDir && !options.keepWorkDir)
    cleanups.push(async () => rmSync(workDir, { recursive: true, force: true }));
  try {
    const cloud = await startLocalCloud({
      topology,
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.describeLag !== undefined ? { describeLag: options.describeLag } : {}),
      ...(options.ports?.ec2 ? { ec2Port: options.ports.ec2 } : {}),
      ...(options.ports?.sns ? { snsPort: options.ports.sns } : {}),
      iam: options.iam ?? true,
    });
    cleanups.push(() => cloud.close());
    const nodes = await startNodeFleet(cloud, {
      ephemeralPorts: options.ephemeralPorts ?? true,
      healthOf: (instanceId) => healthOf(userConfig, instanceId),
    });
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
    const notes: string[] = [];
    const { config, path: configPath } = effectiveConfig(
      options.configPath,
      cloud,
      workDir,
      endpointMap,
      notes,
    );
    if (options.topologyPath === undefined) {
      for (const g of config.groups.filter((x) => x.check.type === 'egress')) {
        notes.push(
          `group ${g.id}: an egress check needs the NAT data path of a topology with egress forwarders (docs/topology.md, local/topologies/nat-egress.yml); a derived world has none`,
        );
      }
    }
    const dynamo = await startLocalDynamo({
      auth: cloud.auth,
      ...(options.ports?.dynamodb ? { port: options.ports.dynamodb } : {}),
    });
    cleanups.push(() => dynamo.close());

    const topicName = cloud.topology.sns.topics[0] ?? 'ha-arbiter-alerts';
    const topicArn = cloud.topicArn(topicName);
    // Each function signs with its own key pair, whose principal carries the policy infra/
    // generates for its role; the shell environment gets the operator's.
    const principals = functionPrincipals(config, {
      region: cloud.region,
      accountId: cloud.accountId,
      tableName: dynamo.tableName,
      topicArn,
      service: LOCAL_SERVICE,
      stage: INVOKE_LOCAL_STAGE,
    });
    const credentials = new Map(
      [...principals].map(([key, principal]) => {
        const c = cloud.auth.credentials.issue(principal);
        return [key, { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }] as const;
      }),
    );
    const env: Record<string, string> = {
      ...operatorEnv(cloud, dynamo.endpoint),
      TABLE_NAME: dynamo.tableName,
      TOPIC_ARN: topicArn,
      CONFIG_PATH: configPath,
    };
    const runtime = new LocalRuntime({
      config,
      configPath,
      dynamo,
      env,
      credentials,
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
      topologySource: options.topologyPath ?? 'derived',
      notes,
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

function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
}

/**
 * The world to start: the topology file, refused when it lacks an id the config names (every
 * call would answer NotFound), or one derived from the config.
 * @throws TopologyError listing the missing ids, or the topology's own problems.
 */
async function stackTopology(
  config: ArbiterConfig,
  topologyPath: string | undefined,
): Promise<Topology | TopologyInput> {
  if (topologyPath === undefined) return topologyFromConfig(config);
  const topology = await loadTopology(resolve(topologyPath));
  const missing = idsMissingFromTopology(config, topology);
  if (missing.length > 0) {
    throw new TopologyError(topologyPath, [
      `does not match the config: it has no ${missing.join(', ')}`,
      'leave out --topology to run a world derived from the config, or add these ids (docs/topology.md)',
    ]);
  }
  return topology;
}

/** The health check a node server answers: the check of the first group the instance is in. */
function healthOf(config: ArbiterConfig, instanceId: string): NodeHealth | undefined {
  const group = config.groups.find((g) => g.nodes.some((n) => n.instanceId === instanceId));
  if (!group) return undefined;
  const check = group.check.type === 'egress' ? group.check.direct : group.check;
  if (check.type !== 'http') return undefined;
  return {
    path: check.path,
    status: Number(check.expectStatus.split('-')[0]),
    ...(check.bodyContains !== undefined ? { bodyContains: check.bodyContains } : {}),
  };
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
        credentials: OPERATOR_CREDENTIALS,
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
  notes: string[] = [],
): { config: ArbiterConfig; path: string } {
  const text = readFileSync(path, 'utf8');
  parseConfig(text, path); // fail early with the user's path in the message
  const doc = parseDocument(text);
  const raw = doc.toJS() as {
    groups?: Array<{
      id?: string;
      check?: {
        type?: string;
        tls?: boolean;
        targets?: Array<{ host?: string; port?: number; url?: string }>;
        direct?: { type?: string; tls?: boolean };
      };
      nodes?: Array<{ instanceId?: string; address?: string; port?: number }>;
    }>;
  };
  const external = new Set(cloud.topology.instances.filter((i) => i.external).map((i) => i.id));
  for (const group of raw.groups ?? []) {
    if (group.check?.type === 'egress') {
      for (const target of group.check.targets ?? []) remapTarget(target, endpoints);
    }
    // The built-in node servers speak plain HTTP: an HTTPS check of theirs would fail on every
    // probe. Nodes of your own (external) are probed as configured.
    const direct = group.check?.type === 'egress' ? group.check.direct : group.check;
    if (direct?.tls && (group.nodes ?? []).some((n) => !external.has(n.instanceId ?? ''))) {
      direct.tls = false;
      notes.push(
        `group ${group.id}: the local node servers speak plain HTTP, so the check runs without TLS here`,
      );
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

/** serverless.yml `service`: with the stage it names the functions and roles. */
const LOCAL_SERVICE = 'ha-arbiter';

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
    // --endpoint-url works with every AWS CLI v2; versions before 2.13 ignore AWS_ENDPOINT_URL_EC2
    // and would go to the real AWS endpoint.
    `aws ec2 describe-addresses --endpoint-url "$AWS_ENDPOINT_URL_EC2"   # signed with the operator key`,
  ];
}

/**
 * The environment that points AWS SDKs and the AWS CLI at the local cloud with the operator
 * key (allowed everything, an administrator's), for the printed shell and `--cloud-only`.
 */
export function operatorEnv(cloud: LocalCloud, dynamoEndpoint: string): Record<string, string> {
  const operator = cloud.auth.credentials.operator;
  return {
    AWS_REGION: cloud.region,
    AWS_DEFAULT_REGION: cloud.region,
    AWS_ACCESS_KEY_ID: operator.accessKeyId,
    AWS_SECRET_ACCESS_KEY: operator.secretAccessKey,
    AWS_ENDPOINT_URL_EC2: cloud.ec2Endpoint,
    AWS_ENDPOINT_URL_SNS: cloud.snsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    // `npx serverless invoke local` in the printed shell: no SDK Node-version warning.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}
