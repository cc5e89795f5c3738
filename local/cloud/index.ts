import type { DescribeLag } from '../../ec2-model/consistency';
import { Ec2Model } from '../../ec2-model/model';
import { type AuditEntry, AuditLog } from './audit';
import { type Credential, LocalAuth } from './auth/index';
import { type DataPath, DataPathTracker } from './data-path';
import { type Ec2Server, startEc2Server } from './ec2/server';
import { FaultController, type FaultSettings, type FaultSettingsInput } from './faults';
import type { PublishedMessage, SnsListener } from './sns/model';
import { type SnsServer, startSnsServer } from './sns/server';
import { SnsService } from './sns/service';
import { ensureTopology, loadTopology, type Topology, type TopologyInput } from './topology';
import { IdFactory } from './util/ids';
import { randomSeed, seededRng } from './util/rng';
import { type LocalWorld, localWorld } from './world/local-world';

export type { DescribeLag } from '../../ec2-model/consistency';
export { EC2_ERROR_STATUS, type Ec2ErrorCode } from '../../ec2-model/errors';
export type { InstanceStateName, StatusCheck } from '../../ec2-model/records';
export type { AddressView, Holder, RouteTarget } from '../../ec2-model/views';
export type { AuditEntry, AuditOutcome } from './audit';
export { type Credential, LocalAuth, OPERATOR_CREDENTIALS, type Principal } from './auth/index';
export type { DataPath } from './data-path';
export type { FaultSettings, FaultSettingsInput } from './faults';
export type { DeliveryResult, PublishedAttribute, PublishedMessage, SnsListener } from './sns/model';
export {
  loadTopology,
  parseTopology,
  parseTopologyYaml,
  type Topology,
  TopologyError,
  type TopologyInput,
} from './topology';
export type { InstanceInfo, LocalWorld } from './world/local-world';

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
   * How far behind the latest state EC2 Describe calls may answer (see
   * docs/topology.md). Default {@link REALISTIC_DESCRIBE_LAG}, as on AWS; a test
   * that needs instant answers says `describeLag: 0`.
   */
  readonly describeLag?: DescribeLag;
  /**
   * Authorize every call against the caller's IAM policies (default true). Signatures are
   * verified either way.
   */
  readonly iam?: boolean;
}

/**
 * Describe lag as the EC2 documentation describes it: changes show up in Describe
 * answers within "a couple of seconds" (docs/topology.md has the source).
 */
export const REALISTIC_DESCRIBE_LAG: DescribeLag = { minMs: 0, maxMs: 2_000 };

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
  // The model draws its own ids from the seed (not the shared stream, which request ids
  // also use), so a direct model with the same seed and calls generates the same ids.
  const model = new Ec2Model(topology, {
    seed,
    describeLag: options.describeLag ?? REALISTIC_DESCRIBE_LAG,
    stopDelayMs: () => faults.stopDelayMs,
  });
  const dataPath = new DataPathTracker(model.latest);
  const audit = new AuditLog();
  const sns = new SnsService(topology.region, topology.accountId, topology.sns.topics, ids);
  const auth = new LocalAuth({
    region: topology.region,
    accountId: topology.accountId,
    iam: options.iam ?? true,
  });
  // The hand deny list (world.setDenied) is an explicit deny on top of IAM, for every service.
  auth.useHandDenyList((caller, action) => model.latest.isDenied(caller, action));
  auth.useEc2Lookup({
    allocationOfPublicIp: (ip) => model.latest.addressByPublicIp(ip)?.allocationId,
    addressOfAssociation: (id) => {
      const address = model.latest.addressByAssociationId(id);
      return address?.association
        ? { allocationId: address.allocationId, networkInterfaceId: address.association.networkInterfaceId }
        : undefined;
    },
    subnetOfRouteTableAssociation: (id) => model.latest.routeTableAssociation(id)?.association.subnetId,
  });
  const authorize = auth.ec2Hook();

  let ec2: Ec2Server | undefined;
  let snsServer: SnsServer | undefined;
  try {
    ec2 = await startEc2Server(
      { model, ids, faults, audit, dataPath, authorize },
      auth,
      host,
      options.ec2Port ?? 0,
    );
    snsServer = await startSnsServer(sns, auth, ids, host, options.snsPort ?? 0);
  } catch (err) {
    await ec2?.close();
    model.dispose();
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
    world: localWorld(model),
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
      model.dispose();
      await Promise.all([ec2Server.close(), snsHttp.close()]);
    },
  };
}
