import { join } from 'node:path';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { PROBER_TIMEOUT_SECONDS } from '../../infra/timing';
import { longestOutage, type ProbeSample, startClientProbe } from '../../local/nodes/index';
import { type LocalStack, startStack } from '../../local/stack';
import { StackWatcher, type WatchEvent } from '../../local/watch';
import type { GroupConfig, NodeConfig } from '../../shared/config/schema';
import { EventType } from '../../shared/domain/constants';
import type { Ec2Timing, FailureKind } from '../baselines/model';
import { detectionSpanMs } from '../detection-span';
import { type Rng, seededRng, uniform } from '../rng';
import { type LogLineSizes, measureLogLines } from './log-sizes';
import { loopBoundary, phaseOf } from './loop-boundary';
import { ProberActivity } from './prober-activity';
import { countWrite, emptyWriteCounts, type WriteCounts } from './writes';

/** Settings of the live part of the bench. */
export interface LiveOptions {
  configPath: string;
  topologyPath: string;
  /** Trials per failure kind (crash and hang alternate). */
  trialsPerKind: number;
  ec2: Ec2Timing;
  streamPollMs: number;
  seed: number;
  log: (line: string) => void;
}

/** One automatic failover, measured from the moment the node failed. */
export interface TrialRecord {
  index: number;
  kind: FailureKind;
  /** Milliseconds from the start of the live run to the failure. */
  failAt: number;
  from: string;
  to: string;
  ok: boolean;
  error?: string;
  /** Failure -> the quorum-th vantage wrote its DOWN verdict. */
  detectMs: number;
  /** Failure -> DescribeAddresses shows the address on the standby (the move is verified). */
  verifiedMs: number;
  /** Failure -> the move is recorded in DynamoDB. */
  recordedMs: number;
  /** Failure -> the failover alert is published. */
  alertMs: number;
  /** Longest run of failed client requests through the front proxy around the failure. */
  outageMs: number;
  /** Where the time between detection and verification went. */
  segments: { toLeaseMs: number; leaseToCallMs: number; callToVerifiedMs: number };
  /** Mutating EC2 calls the arbiter made for this failover (from the emulator's audit log). */
  mutatingCalls: number;
  /** The failure came while a prober was between two invocations (its loop had ended). */
  inProberGap: boolean;
  /** Milliseconds from the probers' scheduled tick to the failure, modulo the minute. */
  minutePhaseMs: number;
  /** `boundary`: placed on purpose near the end of a prober loop (see loop-boundary.ts). */
  placement: 'free' | 'boundary';
}

/** Everything the live run measured. */
export interface LiveRun {
  trials: TrialRecord[];
  durationMs: number;
  group: GroupConfig;
  writes: WriteCounts;
  /** Milliseconds the table was watched (for per-hour rates). */
  watchedMs: number;
  snsMessages: number;
  /** Completed prober invocations: how long each loop ran. */
  proberDurationsMs: number[];
  arbiterInvocations: { stream: number; schedule: number; durationsMs: number[] };
  /** Sizes of the log lines every invocation writes, from the functions' logs. */
  logLines: LogLineSizes;
  /** Scheduled prober ticks the local runtime throttled (a loop still ran) and retried. */
  proberTicksRedelivered: number;
  /** Median length of a prober loop (invocation to result). */
  loopMs: number;
}

const FAILOVER_TIMEOUT_MS = 30_000;
/**
 * Trials right after a recovery never land near the end of a prober loop (the recovery waits
 * for fresh UP verdicts, so it ends while the probers run): every fifth trial is placed there
 * on purpose, and the analysis weights the trials back to uniformly random failure times.
 */
const BOUNDARY_EVERY = 5;
/** From the schedule's tick to the first probe of a warm loop. */
const LOOP_RESTART_MS = 500;
const CLIENT_INTERVAL_MS = 50;
const CLIENT_TIMEOUT_MS = 1_000;

interface HistoryImage {
  event: string;
  at: number;
  detail?: { timeline?: Array<{ at: number; what: string }> };
}

/**
 * Runs N automatic failovers per failure kind on one local stack: fail the current holder
 * (kill: connection refused; hang: accepts and never answers), wait for the arbiter to move the
 * address, measure, revive the node, wait until it is UP again, and fail the new holder next.
 * Every trial is an automatic failover; the address is sticky, so no failback is needed.
 */
export async function runLiveTrials(options: LiveOptions): Promise<LiveRun> {
  const { ec2, log } = options;
  const rng = seededRng(options.seed);
  const stack = await startStack({
    configPath: options.configPath,
    topologyPath: options.topologyPath,
    faults: {
      latencyMs: { describe: ec2.describeMs, mutating: ec2.mutatingMs },
      propagationDelayMs: ec2.propagationMs,
    },
    seed: options.seed,
    runtime: {
      probeEverySeconds: 60,
      probeTimeoutSeconds: PROBER_TIMEOUT_SECONDS,
      reconcileEverySeconds: 60,
      streamPollMs: options.streamPollMs,
    },
  });
  const watcher = new StackWatcher(stack);
  const history: HistoryImage[] = [];
  const writes = emptyWriteCounts();
  stack.runtime.onTableChange((records: DynamoDBRecord[]) => {
    for (const r of records) {
      const image = r.dynamodb?.NewImage
        ? unmarshall(r.dynamodb.NewImage as Record<string, AttributeValue>)
        : undefined;
      const keys = r.dynamodb?.Keys as Record<string, AttributeValue> | undefined;
      countWrite(writes, keys?.pk?.S, keys?.sk?.S);
      if (image && String(image.pk).startsWith('h#')) history.push(image as unknown as HistoryImage);
    }
  });
  const proberDurationsMs: number[] = [];
  const arbiter = { stream: 0, schedule: 0, durationsMs: [] as number[] };
  const probers = new ProberActivity();
  stack.runtime.onEvent((e) => {
    probers.see(e);
    if (e.type !== 'result') return;
    if (e.fn.startsWith('probe-') && !e.error) proberDurationsMs.push(e.durationMs);
    if (e.fn === 'arbiter') {
      if (e.trigger === 'stream') arbiter.stream += 1;
      if (e.trigger === 'schedule') arbiter.schedule += 1;
      arbiter.durationsMs.push(e.durationMs);
    }
  });

  const group = stack.config.groups[0] as GroupConfig;
  const t0 = Date.now();
  const trials: TrialRecord[] = [];
  try {
    await stack.runtime.start();
    const client = startClientProbe({
      url: `${stack.proxy?.url}/`,
      intervalMs: CLIENT_INTERVAL_MS,
      timeoutMs: CLIENT_TIMEOUT_MS,
    });
    // A cold stack on a busy machine can take half a minute before every vantage says UP.
    await waitForAllUp(watcher, group, 90_000);
    log(
      `live: steady after ${((Date.now() - t0) / 1000).toFixed(1)} s; ${options.trialsPerKind} trials per kind`,
    );
    const total = options.trialsPerKind * 2;
    for (let i = 0; i < total; i += 1) {
      const kind: FailureKind = i % 2 === 0 ? 'crash' : 'hang';
      const placement = i % BOUNDARY_EVERY === BOUNDARY_EVERY - 1 ? 'boundary' : 'free';
      const trial = await runTrial(
        stack,
        watcher,
        client.samples,
        history,
        group,
        i,
        kind,
        placement,
        t0,
        rng,
        probers,
      );
      trials.push(trial);
      log(
        `live: trial ${i + 1}/${total} ${kind.padEnd(5)} ${trial.from} -> ${trial.to}: ` +
          (trial.ok
            ? `detect ${ms(trial.detectMs)}, verified ${ms(trial.verifiedMs)}, outage ${ms(trial.outageMs)}`
            : `FAILED: ${trial.error}`),
      );
      await recover(stack, watcher, group, trial, rng, probers, log);
    }
    await client.stop();
  } finally {
    watcher.stop();
    await stack.stop();
  }
  const watchedMs = Date.now() - t0;
  return {
    trials,
    durationMs: watchedMs,
    group,
    writes,
    watchedMs,
    snsMessages: stack.cloud.published().length,
    proberDurationsMs,
    arbiterInvocations: arbiter,
    proberTicksRedelivered: probers.redelivered,
    loopMs: probers.typicalLoopMs(57_000),
    logLines: measureLogLines(
      join(stack.workDir, 'logs'),
      group.vantages.map((v) => `probe-${v}.log`),
    ),
  };
}

async function runTrial(
  stack: LocalStack,
  watcher: StackWatcher,
  samples: () => ProbeSample[],
  history: HistoryImage[],
  group: GroupConfig,
  index: number,
  kind: FailureKind,
  placement: TrialRecord['placement'],
  t0: number,
  rng: Rng,
  probers: ProberActivity,
): Promise<TrialRecord> {
  const from = holder(stack, group);
  const standby = group.nodes.find((n) => n.id !== from.id) as NodeConfig;
  if (placement === 'boundary') {
    const b = loopBoundary(probers.typicalLoopMs(57_000), detectionSpanMs(group.policy), LOOP_RESTART_MS);
    const target = (b.startPhaseMs + uniform(rng, 0, b.lengthMs)) % b.periodMs;
    await sleep(phaseOf(target, phaseOf(Date.now(), probers.scheduleStartedAt)));
  } else {
    // A random phase against the probers' ticks, so the trials sample the whole interval.
    await sleep(uniform(rng, 0, group.policy.intervalSeconds * 1000));
  }
  const auditBefore = stack.cloud.audit().length;
  const failAt = Date.now();
  const node = stack.nodes.node(from.instanceId);
  if (kind === 'crash') await node.kill();
  else node.hang();
  const base = {
    index,
    kind,
    failAt: failAt - t0,
    from: from.id,
    to: standby.id,
    inProberGap: probers.inGap(),
    minutePhaseMs: phaseOf(failAt, probers.scheduleStartedAt),
    placement,
  };
  try {
    const done = await waitUntil(
      () => history.find((h) => h.at >= failAt && isFailoverOutcome(h.event)),
      FAILOVER_TIMEOUT_MS,
      'the failover to finish',
    );
    if (done.event !== EventType.FAILOVER_SUCCEEDED) throw new Error(`the arbiter reported ${done.event}`);
    await waitUntil(
      () => samples().find((s) => s.at > failAt && s.ok && s.servedBy === standby.instanceId),
      10_000,
      'the client to be served by the standby',
    );
    // Let requests still in flight at the switch finish before cutting the sample window.
    await sleep(CLIENT_TIMEOUT_MS + 100);
    const timeline = done.detail?.timeline ?? [];
    const stepAt = (prefix: string) => timeline.find((s) => s.what.startsWith(prefix))?.at ?? Number.NaN;
    const leaseAt = stepAt('lease taken');
    const callAt =
      timeline.find((s) => /^[A-Z][A-Za-z]+ /.test(s.what) && !s.what.includes('DOWN'))?.at ?? Number.NaN;
    const verifiedAt = stepAt('verified');
    const recordedAt = stepAt('recorded');
    const downs = watcher.events
      .filter(
        (e): e is Extract<WatchEvent, { kind: 'verdict' }> =>
          e.kind === 'verdict' && e.node === from.id && e.status === 'DOWN' && e.at >= failAt,
      )
      .map((e) => e.at)
      .sort((a, b) => a - b);
    const quorumAt = downs[group.policy.quorum - 1] ?? Number.NaN;
    const alert = watcher.events.find(
      (e): e is Extract<WatchEvent, { kind: 'sns' }> =>
        e.kind === 'sns' &&
        e.at >= failAt &&
        e.message.attributes.event?.value === EventType.FAILOVER_SUCCEEDED,
    );
    const window = samples().filter((s) => s.at >= failAt - CLIENT_TIMEOUT_MS);
    const outage = longestOutage(window);
    const mutating = stack.cloud
      .audit()
      .slice(auditBefore)
      .filter((a) => a.outcome === 'ok' && a.caller === 'arbiter').length;
    return {
      ...base,
      ok: true,
      detectMs: quorumAt - failAt,
      verifiedMs: verifiedAt - failAt,
      recordedMs: recordedAt - failAt,
      alertMs: (alert?.at ?? Number.NaN) - failAt,
      outageMs: outage?.durationMs ?? 0,
      segments: {
        toLeaseMs: leaseAt - quorumAt,
        leaseToCallMs: callAt - leaseAt,
        callToVerifiedMs: verifiedAt - callAt,
      },
      mutatingCalls: mutating,
    };
  } catch (error) {
    return { ...base, ...unmeasured((error as Error).message) };
  }
}

/** The measures of a trial that did not run to the end: none, and why. */
export function unmeasured(error: string): Omit<TrialRecord, keyof TrialSetting> {
  return {
    ok: false,
    error,
    detectMs: Number.NaN,
    verifiedMs: Number.NaN,
    recordedMs: Number.NaN,
    alertMs: Number.NaN,
    outageMs: Number.NaN,
    segments: { toLeaseMs: Number.NaN, leaseToCallMs: Number.NaN, callToVerifiedMs: Number.NaN },
    mutatingCalls: 0,
  };
}

/** What a trial is before it is measured: which failure, when, and where the address goes. */
type TrialSetting = Pick<
  TrialRecord,
  'index' | 'kind' | 'failAt' | 'from' | 'to' | 'inProberGap' | 'minutePhaseMs' | 'placement'
>;

/** Revives the failed node, waits until every vantage says UP and the cooldown has passed. */
async function recover(
  stack: LocalStack,
  watcher: StackWatcher,
  group: GroupConfig,
  trial: TrialRecord,
  rng: Rng,
  probers: ProberActivity,
  log: (line: string) => void,
) {
  const failed = group.nodes.find((n) => n.id === trial.from) as NodeConfig;
  const reviveAt = Date.now();
  await stack.nodes.node(failed.instanceId).revive();
  if (!trial.ok) {
    // Whatever happened, give every node back and wait for every prober and a clean slate.
    log('live: recovering from the failed trial');
    for (const n of group.nodes) await stack.nodes.node(n.instanceId).revive();
    await probers.waitUntilRunning(75_000);
  }
  const ups = new Set<string>();
  await waitUntil(
    () => {
      for (const e of watcher.events) {
        if (e.kind === 'verdict' && e.at >= reviveAt && e.node === failed.id && e.status === 'UP')
          ups.add(e.vantage);
      }
      return ups.size >= group.vantages.length ? true : undefined;
    },
    trial.ok ? 20_000 : 75_000,
    `${failed.id} to be UP again from every vantage`,
  );
  const cooldownLeft = group.policy.cooldownSeconds * 1000 - (Date.now() - reviveAt);
  await sleep(Math.max(0, cooldownLeft) + uniform(rng, 300, 800));
}

function holder(stack: LocalStack, group: GroupConfig): NodeConfig {
  const eip = group.resources.find((r) => r.kind === 'elastic-ip');
  const publicIp = eip?.kind === 'elastic-ip' ? eip.publicIp : undefined;
  const instanceId = publicIp ? stack.cloud.dataPath.holderOfPublicIp(publicIp)?.instanceId : undefined;
  const node = group.nodes.find((n) => n.instanceId === instanceId);
  if (!node) throw new Error(`no node of ${group.id} holds the address`);
  return node;
}

async function waitForAllUp(watcher: StackWatcher, group: GroupConfig, timeoutMs: number) {
  const wanted = group.vantages.length * group.nodes.length;
  await waitUntil(
    () => {
      const ups = new Set<string>();
      for (const e of watcher.events)
        if (e.kind === 'verdict' && e.status === 'UP') ups.add(`${e.vantage}/${e.node}`);
      return ups.size >= wanted ? true : undefined;
    },
    timeoutMs,
    'every node to be UP from every vantage',
  );
}

function isFailoverOutcome(event: string): boolean {
  return event === EventType.FAILOVER_SUCCEEDED || event === EventType.FAILOVER_FAILED;
}

async function waitUntil<T>(fn: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function ms(v: number): string {
  return Number.isFinite(v) ? `${(v / 1000).toFixed(2)} s` : 'n/a';
}
