import type { GroupConfig } from '../config/schema';
import { NodeHealth } from '../domain/constants';
import type { Decision } from '../domain/decide';
import { messageOf } from '../domain/errors';
import type { TimelineStep } from '../messages/format';
import type { CloudPort } from '../ports/cloud';
import type { CommandSender } from '../ports/command-sender';
import type { InstanceStopper } from '../ports/instance-stopper';
import type { Mover } from '../ports/mover';
import { FenceOutcome, type FenceSettle, fenceFailedNode } from './fence';
import { runOsHook, secondaryIps } from './os-hook';

/** What happened right after a verified, recorded move. */
export interface AfterMoveInput {
  group: GroupConfig;
  from: string | undefined;
  to: string;
  /** The decision the move was made on: tells whether `from` failed or was healthy. */
  decision: Decision;
  movers: readonly Mover[];
  cloud: CloudPort;
  now: () => number;
  /** Extends the lease before a mutating call; throws if it was lost. */
  beforeMutation: (call: string) => Promise<void>;
}

/** Side effects after a move (OS hook, fencing); each step lands in the move's timeline. */
export interface AfterMove {
  run(input: AfterMoveInput): Promise<TimelineStep[]>;
}

/**
 * The OS hook (after a secondary-ip move) then fencing (`fence: stop`, only when the node
 * left behind was DOWN: a ban, a failback or a manual move from a healthy node never stops
 * it). Neither can fail the move: problems become timeline lines in the notification.
 */
export function createAfterMove(adapters: {
  stopper?: InstanceStopper;
  sender?: CommandSender;
  /** Fencing looks again after this wait (Describe lag); without it, one look. */
  settle?: FenceSettle;
}): AfterMove {
  return {
    async run(input) {
      const { group } = input;
      const steps: TimelineStep[] = [];
      const to = group.nodes.find((n) => n.id === input.to);
      const from = input.from === undefined ? undefined : group.nodes.find((n) => n.id === input.from);
      if (adapters.sender && group.osHook && to && secondaryIps(group).length > 0) {
        let fromRunning = false;
        if (from) {
          const instances = await input.cloud.signals(group).catch(() => ({}) as Record<string, undefined>);
          fromRunning = instances[from.id]?.state === 'running';
        }
        const runs = await runOsHook({
          group,
          to,
          from,
          fromRunning,
          sender: adapters.sender,
          beforeMutation: input.beforeMutation,
        });
        for (const s of runs) {
          steps.push({
            at: input.now(),
            what: `OS hook ${s.ok ? '' : 'FAILED '}${s.action} ${s.ip} on ${s.node}: ${s.detail}`,
          });
        }
        if (from && !fromRunning) {
          steps.push({ at: input.now(), what: `OS hook: ${from.id} is not running; unconfigure skipped` });
        }
      }
      const failedDown =
        from !== undefined && input.decision.assessments[from.id]?.health === NodeHealth.DOWN;
      if (adapters.stopper && group.policy.fence === 'stop' && from && from.id !== input.to && failedDown) {
        const fenced = await fenceFailedNode({
          group,
          failed: from.id,
          movers: input.movers,
          cloud: input.cloud,
          stopper: adapters.stopper,
          beforeMutation: input.beforeMutation,
          ...(adapters.settle ? { settle: adapters.settle } : {}),
        }).catch(
          (error: unknown) =>
            ({ node: from.id, outcome: FenceOutcome.FAILED, detail: messageOf(error) }) as const,
        );
        steps.push({ at: input.now(), what: `fence ${fenced.outcome}: ${fenced.detail}` });
      }
      return steps;
    },
  };
}
