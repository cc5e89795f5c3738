import { type AuditEntry, AuditLog } from './audit.js';
import { type Credential, LocalAuth } from './auth/index.js';
import { type DataPath, DataPathTracker } from './data-path.js';
import { type Ec2Server, startEc2Server } from './ec2/server.js';
import { FaultController, type FaultSettings, type FaultSettingsInput } from './faults.js';
import type { PublishedMessage, SnsListener } from './sns/model.js';
import { type SnsServer, startSnsServer } from './sns/server.js';
import { SnsService } from './sns/service.js';
import { ensureTopology, loadTopology, type Topology, type TopologyInput } from './topology.js';
import { IdFactory } from './util/ids.js';
import { randomSeed, seededRng } from './util/rng.js';
import { type LocalWorld, localWorld } from './world/local-world.js';
import { World } from './world/world.js';

export type { AuditEntry, AuditOutcome } from './audit.js';
export { type Credential, LocalAuth, OPERATOR_CREDENTIALS, type Principal } from './auth/index.js';
export type { DataPath } from './data-path.js';
export { EC2_ERROR_STATUS, type Ec2ErrorCode } from './ec2/errors.js';
export type { FaultSettings, FaultSettingsInput } from './faults.js';
export type { DeliveryResult, PublishedAttribute, PublishedMessage, SnsListener } from './sns/model.js';
export {
  loadTopology,
  parseTopology,
  parseTopologyYaml,
  type Topology,
  TopologyError,
  type TopologyInput,
} from './topology.js';
export type { InstanceInfo, LocalWorld } from './world/local-world.js';
export type { InstanceStateName, StatusCheck } from './world/model.js';
export type { AddressView, Holder, RouteTarget } from './world/views.js';

/** Options of {@link startLocalCloud}. */
export interface StartLocalCloudOptions {
  /** A validated topology, a raw topology object, or the path of a YAML file. */
  readonly topology: Topology | TopologyInput | string;
  /** Only loopback is allowed. */
  readonly host?: '127.0.0.1';
  /** 0 (default) picks a free port. */
  readonly ec2Port?: number;
  /** 0 (default) picks a free port. */
  readonly snsPort?: number;
  /** Initial fault settings (default: none). */
  readonly faults?: FaultSettingsInput;
  /** Seeds generated ids and fault draws; random when absent. */
  readonly seed?: number;
  /**
   * Authorize every call against the caller's IAM policies (default true). Signatures are
   * verified either way.
   */
  readonly iam?: boolean;
}

/** Fault controls, also reachable over HTTP at `/_local/faults` on the EC2 endpoint. */
export interface FaultControls {
  get(): FaultSettings;
  /** Validates and applies a partial update; top-level keys replace. */
  set(partial: FaultSettingsInput): FaultSettings;
  reset(): FaultSettings;
}

/** Options for an AWS SDK v3 client pointed at the local cloud. */
export interface LocalClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** A running local cloud: EC2 and SNS emulators over one world. */
export interface LocalCloud {
  readonly region: string;
  readonly accountId: string;
  /** `http://127.0.0.1:PORT` of the EC2 Query emulator. */
  readonly ec2Endpoint: string;
  /** `http://127.0.0.1:PORT` of the SNS Query emulator. */
  readonly snsEndpoint: string;
  /** The seed in use (pass it back to repeat a run). */
  readonly seed: number;
  readonly topology: Topology;
  /** API view (what Describe reports) and world controls. */
  readonly world: LocalWorld;
  /** What traffic sees: lags the API by `propagationDelayMs`. */
  readonly dataPath: DataPath;
  readonly faults: FaultControls;
  /** Every mutating EC2 call so far. */
  audit(): AuditEntry[];
  clearAudit(): void;
  /** Every SNS message published so far. */
  published(): PublishedMessage[];
  clearPublished(): void;
  /** ARN of a topic by name, in this cloud's region and account. */
  topicArn(name: string): string;
  /** Subscribes an in-process function to a topic; returns the unsubscribe function. */
  subscribe(topicArn: string, listener: SnsListener): () => void;
  /** Resolves when SNS deliveries started so far have finished. */
  deliveriesSettled(): Promise<void>;
  /** Access keys, signature checks and IAM authorization of this cloud. */
  readonly auth: LocalAuth;
  /**
   * SDK client options for `service`, signing as the principal `caller` (default: the operator,
   * allowed everything). A caller name not known yet gets its own key pair, not restricted by
   * IAM; issue a principal with policies through `auth.credentials` to restrict one.
   */
  clientConfig(service: 'ec2' | 'sns', caller?: string): LocalClientConfig;
  /** Stops both servers and pending timers. */
  close(): Promise<void>;
}

async function resolveTopology(topology: StartLocalCloudOptions['topology']): Promise<Topology> {
  return typeof topology === 'string' ? loadTopology(topology) : ensureTopology(topology);
}

/**
 * Starts the local cloud on 127.0.0.1: an EC2 emulator and an SNS emulator that
 * the real AWS SDK clients can talk to, over one world built from the topology.
 */
export async function startLocalCloud(options: StartLocalCloudOptions): Promise<LocalCloud> {
  const host = options.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error(`the local cloud only listens on 127.0.0.1, not ${String(host)}`);
  const topology = await resolveTopology(options.topology);
  const seed = options.seed ?? randomSeed();
  const ids = new IdFactory(seededRng(seed));
  // A separate stream for fault draws, so turning faults on does not change generated ids.
  const faults = new FaultController(seededRng(seed ^ 0x9e3779b9), options.faults);
  const world = new World(topology, ids);
  const dataPath = new DataPathTracker(world);
  const audit = new AuditLog();
  const sns = new SnsService(topology.region, topology.accountId, topology.sns.topics, ids);
  const auth = new LocalAuth({
    region: topology.region,
    accountId: topology.accountId,
    iam: options.iam ?? true,
  });
  // The hand deny list (world.setDenied) is an explicit deny on top of IAM, for every service.
  auth.useHandDenyList((caller, action) => world.isDenied(caller, action));
  auth.useEc2Lookup({
    allocationOfPublicIp: (ip) => world.addressByPublicIp(ip)?.allocationId,
    addressOfAssociation: (id) => {
      const address = world.addressByAssociationId(id);
      return address?.association
        ? { allocationId: address.allocationId, networkInterfaceId: address.association.networkInterfaceId }
        : undefined;
    },
    subnetOfRouteTableAssociation: (id) => world.routeTableAssociation(id)?.association.subnetId,
  });
  const authorize = auth.ec2Hook();

  let ec2: Ec2Server | undefined;
  let snsServer: SnsServer | undefined;
  try {
    ec2 = await startEc2Server(
      { world, ids, faults, audit, dataPath, authorize },
      auth,
      host,
      options.ec2Port ?? 0,
    );
    snsServer = await startSnsServer(sns, auth, ids, host, options.snsPort ?? 0);
  } catch (err) {
    await ec2?.close();
    world.dispose();
    throw err;
  }
  const ec2Server = ec2;
  const snsHttp = snsServer;

  return {
    region: topology.region,
    accountId: topology.accountId,
    ec2Endpoint: ec2Server.endpoint,
    snsEndpoint: snsHttp.endpoint,
    seed,
    topology,
    world: localWorld(world),
    dataPath,
    faults: {
      get: () => faults.get(),
      set: (partial) => faults.set(partial),
      reset: () => faults.reset(),
    },
    audit: () => audit.entries(),
    clearAudit: () => audit.clear(),
    published: () => sns.published(),
    clearPublished: () => sns.clearPublished(),
    topicArn: (name) => sns.topicArn(name),
    subscribe: (topicArn, listener) => {
      const arn = sns.subscribeListener(topicArn, listener);
      return () => {
        sns.removeSubscription(arn);
      };
    },
    deliveriesSettled: () => sns.drain(),
    auth,
    clientConfig: (service, caller = 'operator') => {
      const credential: Credential = auth.credentials.byName(caller) ?? auth.credentials.issue(caller);
      return {
        endpoint: service === 'ec2' ? ec2Server.endpoint : snsHttp.endpoint,
        region: topology.region,
        credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey },
      };
    },
    close: async () => {
      world.dispose();
      await Promise.all([ec2Server.close(), snsHttp.close()]);
    },
  };
}
