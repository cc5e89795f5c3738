import type { ProbeSample } from '../../local/nodes/client-probe';
import type { GroupConfig } from '../../shared/config/schema';
import { EventType, VerdictStatus } from '../../shared/domain/constants';
import type { HistoryEvent } from '../../shared/domain/model';
import type { GroupSnapshot } from '../../shared/ports/store';
import {
  type BreakKind,
  type DrillRunSummary,
  failoverRow,
  type ReceivedAlert,
  summarizeRun,
} from './measure';

/** The instance id of a node of the drilled group. @throws Error naming the node when it is not one. */
export function instanceIdOf(group: GroupConfig, node: string): string {
  const n = group.nodes.find((x) => x.id === node);
  if (!n) throw new Error(`no node ${node} in ${group.id}`);
  return n.instanceId;
}

/** Requests through the address, running in the background. */
export interface ClientSampler {
  samples(): ProbeSample[];
  stop(): Promise<ProbeSample[]>;
}

/**
 * What a drill needs from the world: the same calls on a real account (SSM, EC2, the queue)
 * and on the local cloud (the node servers, the in-process subscriber). The group's state,
 * verdicts and history come from the arbiter's own table through the store adapter either way.
 */
export interface DrillPorts {
  group: GroupConfig;
  store: {
    readGroup(group: string): Promise<GroupSnapshot>;
    readHistory(group: string, limit: number): Promise<HistoryEvent[]>;
  };
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Starts requesting the address every `intervalMs`. */
  startClient(intervalMs: number): ClientSampler;
  /**
   * Breaks the node; may return when the break took effect (epoch ms), e.g. when SSM reports
   * the command finished on the instance, which is later than the call by SSM's delivery.
   */
  breakNode(node: string, kind: BreakKind): Promise<number | undefined>;
  /** Undoes `breakNode`; resolves when the node's service runs again. */
  restoreNode(node: string, kind: BreakKind): Promise<void>;
  /** Alerts received since the last call (the queue is drained as it is read). */
  takeAlerts(): Promise<ReceivedAlert[]>;
  /** Progress lines for a person (stderr); the JSON summary alone goes to stdout. */
  say(line: string): void;
}

export interface DrillRunOptions {
  kind: BreakKind;
  /** Time between client requests (the 200 ms). */
  intervalMs: number;
  /** How long to wait for the move, the new holder answering and the alert. */
  moveTimeoutMs: number;
  /** How long the restored node may take to be UP again from every vantage. */
  recoverTimeoutMs: number;
  /** Client requests before the break, so the outage starts from a known-good address. */
  warmupMs: number;
}

const POLL_MS = 500;
const HISTORY_ROWS = 30;

/** The node the arbiter has recorded as the holder. */
export async function recordedHolder(
  ports: Pick<DrillPorts, 'group' | 'store'>,
): Promise<string | undefined> {
  return (await ports.store.readGroup(ports.group.id)).state.active;
}

/**
 * One drill: breaks the holder, follows the client through the address until the new holder
 * answers and the alert has arrived, restores the broken node, waits until every vantage sees
 * it UP again (so a next run starts from a pair that can fail over), and sums up.
 * @throws Error when the group has no recorded holder to break.
 */
export async function runDrillOnce(ports: DrillPorts, options: DrillRunOptions): Promise<DrillRunSummary> {
  const { group } = ports;
  const from = await recordedHolder(ports);
  if (!from)
    throw new Error(`${group.id} has no recorded holder yet: wait for the arbiter's first reconcile`);
  const nodeOf = (servedBy: string) =>
    group.nodes.find((n) => n.id === servedBy || n.instanceId === servedBy)?.id;
  await ports.takeAlerts(); // older alerts are not this run's
  const client = ports.startClient(options.intervalMs);
  const alerts: ReceivedAlert[] = [];
  let history: HistoryEvent[] = [];
  let brokeAt = ports.now();
  let restored = false;
  let restoreDetail: string | undefined;
  try {
    await ports.sleep(options.warmupMs);
    brokeAt = ports.now();
    ports.say(`breaking ${from} (${options.kind})`);
    brokeAt = (await ports.breakNode(from, options.kind)) ?? brokeAt;
    const deadline = brokeAt + options.moveTimeoutMs;
    for (;;) {
      alerts.push(...(await ports.takeAlerts()));
      history = (await ports.store.readHistory(group.id, HISTORY_ROWS)).filter((e) => e.at >= brokeAt);
      const row = failoverRow(history, brokeAt);
      const served = client
        .samples()
        .some((s) => s.at >= brokeAt && s.ok && s.servedBy && nodeOf(s.servedBy) !== from);
      const alerted = alerts.some((a) => a.event === row?.event);
      if (row?.event === EventType.FAILOVER_FAILED) break;
      if (row && served && alerted) break;
      if (ports.now() >= deadline) {
        ports.say(`gave up after ${options.moveTimeoutMs / 1000} s`);
        break;
      }
      await ports.sleep(POLL_MS);
    }
  } finally {
    await client.stop();
    try {
      ports.say(`restoring ${from}`);
      const restoredAt = ports.now();
      await ports.restoreNode(from, options.kind);
      await waitUp(ports, from, restoredAt, options.recoverTimeoutMs);
      restored = true;
    } catch (error) {
      restoreDetail = (error as Error).message;
      ports.say(`could not restore ${from}: ${restoreDetail}`);
    }
  }
  return summarizeRun({
    group: group.id,
    breakKind: options.kind,
    from,
    brokeAt,
    samples: client.samples(),
    history,
    alerts,
    nodeOf,
    restored,
    ...(restoreDetail ? { restoreDetail } : {}),
  });
}

/** Waits until every vantage has seen `node` UP since `since`. */
async function waitUp(ports: DrillPorts, node: string, since: number, timeoutMs: number): Promise<void> {
  const deadline = ports.now() + timeoutMs;
  for (;;) {
    const { verdicts } = await ports.store.readGroup(ports.group.id);
    const waiting = ports.group.vantages.filter(
      (v) =>
        !verdicts.some(
          (x) => x.vantage === v && x.node === node && x.status === VerdictStatus.UP && x.seenAt >= since,
        ),
    );
    if (waiting.length === 0) return;
    if (ports.now() >= deadline)
      throw new Error(`${node} not UP from ${waiting.join(', ')} within ${timeoutMs / 1000} s`);
    await ports.sleep(POLL_MS);
  }
}

/** Runs `count` drills one after the other, each after the cooldown of the previous move. */
export async function runDrills(
  ports: DrillPorts,
  options: DrillRunOptions & { count: number },
): Promise<DrillRunSummary[]> {
  const runs: DrillRunSummary[] = [];
  for (let i = 0; i < options.count; i++) {
    if (i > 0) await waitCooldown(ports);
    ports.say(`drill ${i + 1} of ${options.count}`);
    const run = await runDrillOnce(ports, options);
    runs.push(run);
    // A run that did not move or restore leaves nothing sound to drill again.
    if (run.outcome !== 'moved' || !run.restored) break;
  }
  return runs;
}

/** The arbiter holds a new failure within its cooldown; the next drill waits it out. */
async function waitCooldown(ports: DrillPorts): Promise<void> {
  const { state } = await ports.store.readGroup(ports.group.id);
  const end = (state.lastFailoverAt ?? 0) + ports.group.policy.cooldownSeconds * 1000;
  const wait = end - ports.now();
  if (wait > 0) {
    ports.say(`waiting ${Math.ceil(wait / 1000)} s for the cooldown of the last move`);
    await ports.sleep(wait + 1000);
  }
}
