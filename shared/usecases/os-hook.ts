import type { GroupConfig, NodeConfig, OsHook } from '../config/schema';
import { messageOf } from '../domain/errors';
import type { CommandSender } from '../ports/command-sender';

export type OsHookAction = 'configure' | 'unconfigure';

/** One SendCommand of the hook and how it went. */
export interface OsHookStep {
  node: string;
  action: OsHookAction;
  ip: string;
  ok: boolean;
  /** `command 1234-... sent` or the error. */
  detail: string;
}

export const RUN_SHELL_SCRIPT = 'AWS-RunShellScript';

/**
 * The document parameters for one address on one node. AWS-RunShellScript gets the group's
 * `configure`/`unconfigure` command with `{ip}` and `{node}` filled in (both come from the
 * validated config, so no shell quoting is needed); any other document gets `action`, `ip` and
 * `node` as parameters and decides itself.
 * @returns undefined when there is nothing to run (no `unconfigure` command given).
 */
export function hookParameters(
  hook: OsHook,
  action: OsHookAction,
  ip: string,
  node: string,
): Record<string, string[]> | undefined {
  if (hook.document !== RUN_SHELL_SCRIPT) return { action: [action], ip: [ip], node: [node] };
  const template = action === 'configure' ? hook.configure : hook.unconfigure;
  if (template === undefined) return undefined;
  return { commands: [template.replaceAll('{ip}', ip).replaceAll('{node}', node)] };
}

/** The secondary IPs of a group: the only addresses an OS must be told about. */
export function secondaryIps(group: GroupConfig): string[] {
  return group.resources.flatMap((r) => (r.kind === 'secondary-ip' ? [r.ip] : []));
}

/**
 * After a secondary-ip move, tells the operating systems: `configure` on the new holder,
 * `unconfigure` on the old one if it is still running. Commands are sent, not awaited (a run
 * takes seconds and the address already moved in EC2); failures are reported, never thrown,
 * because the move must not be undone or blocked by a host that cannot be reached.
 *
 * SendCommand changes a host as surely as an EC2 call changes the network, so it goes out
 * only after `beforeMutation` (the lease extension and check every EC2 mutation gets):
 *   t0  A moves the VIP to lb-2 and records it; A's container freezes.
 *   t1  A's lease expires; B takes it and moves the VIP back to lb-1 (lb-2 failed again).
 *   t2  A wakes and would tell lb-1 to drop the VIP it now serves.
 * With the extension first, A learns at t2 that its lease is gone and sends nothing.
 */
export async function runOsHook(input: {
  group: GroupConfig;
  to: NodeConfig;
  from: NodeConfig | undefined;
  fromRunning: boolean;
  sender: CommandSender;
  /** Extends and checks the lease before the commands go out; throws to send none. */
  beforeMutation?: (call: string) => Promise<void>;
}): Promise<OsHookStep[]> {
  const { group, sender } = input;
  const hook = group.osHook;
  const ips = secondaryIps(group);
  if (!hook || ips.length === 0) return [];
  const targets: Array<{ node: NodeConfig; action: OsHookAction }> = [
    { node: input.to, action: 'configure' },
  ];
  if (input.from && input.from.id !== input.to.id && input.fromRunning) {
    targets.push({ node: input.from, action: 'unconfigure' });
  }
  const commands = targets.flatMap(({ node, action }) =>
    ips.flatMap((ip) => {
      const parameters = hookParameters(hook, action, ip, node.id);
      return parameters ? [{ node, action, ip, parameters }] : [];
    }),
  );
  if (commands.length === 0) return [];
  if (input.beforeMutation) {
    const on = [...new Set(commands.map((c) => c.node.id))].join(', ');
    try {
      await input.beforeMutation(`SendCommand ${hook.document} on ${on}`);
    } catch (error) {
      return commands.map(({ node, action, ip }) => ({
        node: node.id,
        action,
        ip,
        ok: false,
        detail: `not sent: ${messageOf(error)}`,
      }));
    }
  }
  const runs = commands.map(async ({ node, action, ip, parameters }): Promise<OsHookStep> => {
    try {
      const id = await sender.send({
        document: hook.document,
        instanceId: node.instanceId,
        parameters,
        timeoutSeconds: hook.timeoutSeconds,
        comment: `ha-arbiter ${group.id}: ${action} ${ip} on ${node.id}`,
      });
      return { node: node.id, action, ip, ok: true, detail: `${hook.document} command ${id} sent` };
    } catch (error) {
      return { node: node.id, action, ip, ok: false, detail: `${hook.document} failed: ${messageOf(error)}` };
    }
  });
  return Promise.all(runs);
}
