import type { GroupConfig } from '../config/schema';
import { DEAD_INSTANCE_STATES } from '../domain/constants';
import { messageOf } from '../domain/errors';
import type { CloudPort } from '../ports/cloud';
import type { InstanceStopper } from '../ports/instance-stopper';
import { DESCRIBE_SETTLE_MS, type Mover } from '../ports/mover';

/** How a fencing attempt ended. */
export const FenceOutcome = {
  STOPPED: 'stopped',
  /** Nothing to do: the instance is already stopping or stopped. */
  SKIPPED: 'skipped',
  /** A guard said no: stopping it could take the service down. */
  REFUSED: 'refused',
  FAILED: 'failed',
} as const;
export type FenceOutcome = (typeof FenceOutcome)[keyof typeof FenceOutcome];

export interface FenceResult {
  node: string;
  outcome: FenceOutcome;
  detail: string;
}

export interface FenceInput {
  group: GroupConfig;
  /** The node the addresses were just moved away from because it failed. */
  failed: string;
  movers: readonly Mover[];
  cloud: CloudPort;
  stopper: InstanceStopper;
  /** Called right before StopInstances (the arbiter extends its lease here); throws to abort. */
  beforeMutation?: (call: string) => Promise<void>;
  /** Checks again after this wait before stopping anything (see {@link FenceSettle}). */
  settle?: FenceSettle;
}

/**
 * The second look fencing takes. EC2's Describe answers may lag behind changes by a couple of
 * seconds, so one look can miss a move that landed just before it:
 *
 *   t0      someone moves the Elastic IP back to n1 (console, script)
 *   t0+64ms fence: DescribeAddresses answers from before t0 -> "n1 holds nothing"
 *   t0+80ms StopInstances n1  -> the node now serving the address is stopped
 *
 * Looking again after the longest Describe lag sees every change made before the first look,
 * so both looks must pass. A change made between the two looks and the stop is a race no
 * Describe call can close (StopInstances takes no fencing token); the wait keeps it to the
 * few hundred milliseconds between the second look and the stop.
 */
export interface FenceSettle {
  /** At least the longest Describe lag (AWS: a couple of seconds). */
  ms: number;
  sleep: (ms: number) => Promise<void>;
}

/** Describe lag fencing waits out on AWS ("a couple of seconds", EC2's eventual consistency guide). */
export const FENCE_SETTLE_MS = DESCRIBE_SETTLE_MS;

/**
 * Fences a failed node with StopInstances after a verified move (`fence: stop`), so a node
 * that only looked dead cannot keep answering on an address it no longer owns.
 *
 * Guards, all from fresh Describe calls rather than what the move believed: the failed node
 * must hold none of the group's resources, every resource must have a holder, and every holder
 * must be a running instance other than the failed one. So it never stops the node that now
 * serves, and never the last running node of the group. Never throws: the move already
 * happened and fencing is a best effort that is reported, not retried.
 */
export async function fenceFailedNode(input: FenceInput): Promise<FenceResult> {
  const { group, failed } = input;
  const result = (outcome: FenceOutcome, detail: string): FenceResult => ({ node: failed, outcome, detail });
  const node = group.nodes.find((n) => n.id === failed);
  if (!node) return result(FenceOutcome.REFUSED, `${failed} is not a node of group ${group.id}`);
  try {
    const first = await fenceGuards(input);
    if (first.refused) return result(first.refused.outcome, first.refused.detail);
    if (input.settle) {
      await input.settle.sleep(input.settle.ms);
      const second = await fenceGuards(input);
      if (second.refused) return result(second.refused.outcome, second.refused.detail);
    }
    const call = `StopInstances ${node.instanceId} (${failed})`;
    await input.beforeMutation?.(call);
    await input.stopper.stop(node.instanceId);
    return result(FenceOutcome.STOPPED, `${call} sent`);
  } catch (error) {
    return result(FenceOutcome.FAILED, `fencing ${failed} failed: ${messageOf(error)}`);
  }
}

/** One look at the group from fresh Describe calls: a refusal, or nothing against stopping. */
async function fenceGuards(
  input: FenceInput,
): Promise<{ refused?: { outcome: FenceOutcome; detail: string } }> {
  const { group, failed } = input;
  const refuse = (outcome: FenceOutcome, detail: string) => ({ refused: { outcome, detail } });
  const node = group.nodes.find((n) => n.id === failed);
  if (!node) return refuse(FenceOutcome.REFUSED, `${failed} is not a node of group ${group.id}`);
  const [holdings, instances] = await Promise.all([
    Promise.all(input.movers.map((m) => m.observe())),
    input.cloud.signals(group),
  ]);
  const stillHeld = holdings.filter((h) => h.node === failed).map((h) => h.resource);
  if (stillHeld.length > 0) {
    return refuse(FenceOutcome.REFUSED, `${failed} still holds ${stillHeld.join(', ')}; not stopping it`);
  }
  const orphan = holdings.find((h) => h.node === undefined);
  if (orphan) {
    return refuse(
      FenceOutcome.REFUSED,
      `${orphan.resource} has no holder in the group; not stopping anything`,
    );
  }
  for (const holder of new Set(holdings.map((h) => h.node as string))) {
    const state = instances[holder]?.state ?? 'unknown';
    if (state !== 'running') {
      return refuse(
        FenceOutcome.REFUSED,
        `holder ${holder} is ${state}, not running; not stopping ${failed}`,
      );
    }
  }
  const own = instances[failed];
  if (own && DEAD_INSTANCE_STATES.has(own.state)) {
    return refuse(FenceOutcome.SKIPPED, `${failed} (${node.instanceId}) is already ${own.state}`);
  }
  return {};
}
