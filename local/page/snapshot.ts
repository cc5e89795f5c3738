import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ec2Cloud } from '../../shared/adapters/aws/ec2-cloud';
import { ec2MovePermissions } from '../../shared/adapters/aws/ec2-move-permissions';
import { DynamoStore } from '../../shared/adapters/dynamo/dynamo-store';
import { DynamoReadinessMemo } from '../../shared/adapters/dynamo/readiness-memo';
import type { ArbiterConfig } from '../../shared/config/schema';
import type { OpsDeps } from '../../shared/ops/deps';
import { type GroupStatus, groupStatus } from '../../shared/ops/status';
import { silentLog } from '../../shared/ports/log';
import { newContainerMemory } from '../../shared/usecases/deps';
import type { WatchEvent } from '../watch';

/** What the page shows: per group the holder, readiness and every vantage's verdict; then the timeline. */
export interface PageSnapshot {
  at: string;
  groups: PageGroup[];
  /** Newest first. */
  timeline: Array<{ at: string; kind: WatchEvent['kind']; text: string }>;
}

export interface PageGroup {
  group: string;
  /** The holder EC2 reports (Describe), and the one the arbiter recorded. */
  holder: string | undefined;
  recorded: string | undefined;
  readiness: { status: string; reason: string } | undefined;
  resources: Array<{ resource: string; holder: string | undefined; detail: string }>;
  nodes: Array<{
    id: string;
    health: string;
    reason: string;
    verdicts: Array<{
      vantage: string;
      status: string;
      stale: boolean;
      ageSeconds: number;
      lastProbe?: string;
    }>;
  }>;
  errors: string[];
}

/** Where the page reads from: the stack's endpoints, read-only. */
export interface PageSources {
  config: ArbiterConfig;
  region: string;
  ec2Endpoint: string;
  dynamoEndpoint: string;
  tableName: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  events: () => readonly WatchEvent[];
}

const TIMELINE_LENGTH = 40;

/** One line of the timeline, in the words `npm run local` prints. */
export function eventText(e: WatchEvent): string {
  switch (e.kind) {
    case 'verdict':
      return `verdict ${e.vantage} on ${e.node}: ${e.status}${e.error ? ` (${e.error})` : ''}`;
    case 'lease':
      return `lease of ${e.group}: ${e.owner ?? 'released'} (epoch ${e.epoch})`;
    case 'recorded':
      return `${e.group} recorded on ${e.active} (epoch ${e.epoch})`;
    case 'ec2':
      return `EC2 ${e.entry.action} by ${e.entry.caller}: ${e.entry.outcome}${e.entry.errorCode ? ` ${e.entry.errorCode}` : ''}`;
    case 'sns':
      return `alert: ${e.message.subject}`;
  }
}

/**
 * Builds the page's snapshot with the same status use case as the `status` function (EC2
 * Describe for the holders, the table for verdicts and readiness), so the page and `status`
 * never disagree. Reads only: no lease, no EC2 mutation, no notification.
 */
export function snapshotReader(sources: PageSources): () => Promise<PageSnapshot> {
  const ec2 = new EC2Client({
    region: sources.region,
    endpoint: sources.ec2Endpoint,
    credentials: sources.credentials,
  });
  const dynamo = new DynamoDBClient({
    region: sources.region,
    endpoint: sources.dynamoEndpoint,
    credentials: sources.credentials,
  });
  const store = new DynamoStore({
    tableName: sources.tableName,
    client: dynamo,
    groups: sources.config.groups,
  });
  const deps: OpsDeps = {
    config: sources.config,
    memory: newContainerMemory(),
    store,
    cloud: ec2Cloud(ec2),
    notifier: {
      publish: async () => {
        throw new Error('the local page never notifies');
      },
    },
    owner: 'local-page',
    now: Date.now,
    log: silentLog,
    readiness: {
      permissions: ec2MovePermissions(ec2),
      memo: new DynamoReadinessMemo(dynamo, sources.tableName),
    },
  };
  return async () => {
    const groups = await Promise.all(sources.config.groups.map((g) => groupStatus(deps, g, 0)));
    const timeline = sources
      .events()
      .slice(-TIMELINE_LENGTH)
      .reverse()
      .map((e) => ({ at: new Date(e.at).toISOString().slice(11, 23), kind: e.kind, text: eventText(e) }));
    return { at: new Date().toISOString(), groups: groups.map(pageGroup), timeline };
  };
}

function pageGroup(g: GroupStatus): PageGroup {
  return {
    group: g.group,
    holder: g.active.observed,
    recorded: g.active.recorded,
    readiness: g.readiness ? { status: g.readiness.status, reason: g.readiness.reason } : undefined,
    resources: g.resources.map((r) => ({ resource: r.resource, holder: r.holder, detail: r.detail })),
    nodes: g.nodes.map((n) => ({
      id: n.id,
      health: n.health,
      reason: n.reason,
      verdicts: n.verdicts.map((v) => ({
        vantage: v.vantage,
        status: v.status,
        stale: v.stale,
        ageSeconds: v.ageSeconds,
        ...(v.lastProbe
          ? { lastProbe: v.lastProbe.ok ? `ok ${v.lastProbe.latencyMs} ms` : (v.lastProbe.error ?? 'failed') }
          : {}),
      })),
    })),
    errors: g.errors,
  };
}
