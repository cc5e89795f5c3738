import { type LocalStack, type StackOptions, startStack } from '../../local/stack';
import { StackWatcher, type WatchEvent } from '../../local/watch';

export const TOPOLOGY = 'local/examples/demo.topology.yml';
export const CONFIG = 'test/e2e/fixtures/lb-pair.arbiter.yml';

export interface Running {
  stack: LocalStack;
  watcher: StackWatcher;
  holder(): string | undefined;
  stop(): Promise<void>;
}

/** Starts the local stack and waits until every vantage sees every node UP. */
export async function startSteady(
  options: {
    config?: string;
    topology?: string;
    faults?: StackOptions['faults'];
    runtime?: StackOptions['runtime'];
  } = {},
): Promise<Running> {
  const stack = await startStack({
    configPath: options.config ?? CONFIG,
    topologyPath: options.topology ?? TOPOLOGY,
    ...(options.faults ? { faults: options.faults } : {}),
    ...(options.runtime ? { runtime: options.runtime } : {}),
  });
  const watcher = new StackWatcher(stack);
  await stack.runtime.start();
  const group = stack.config.groups[0]!;
  const wanted = group.vantages.length * group.nodes.length;
  const ups = new Set<string>();
  await until(
    () => {
      for (const e of watcher.events)
        if (e.kind === 'verdict' && e.status === 'UP') ups.add(`${e.vantage}/${e.node}`);
      return ups.size >= wanted;
    },
    20_000,
    'every node UP from every vantage',
  );
  return {
    stack,
    watcher,
    holder: () => {
      const instanceId = stack.cloud.world.instances().length
        ? stack.cloud.dataPath.holderOfPublicIp('203.0.113.10')?.instanceId
        : undefined;
      return group.nodes.find((n) => n.instanceId === instanceId)?.id;
    },
    stop: async () => {
      watcher.stop();
      await stack.stop();
    },
  };
}

export function instanceOf(running: Running, node: string): string {
  const n = running.stack.config.groups[0]!.nodes.find((x) => x.id === node);
  if (!n) throw new Error(`no node ${node}`);
  return n.instanceId;
}

export async function until(
  fn: () => boolean,
  timeoutMs: number,
  what: string,
  refresh?: () => Promise<void>,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await refresh?.();
    if (fn()) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function snsEvents(running: Running, event?: string): Array<Extract<WatchEvent, { kind: 'sns' }>> {
  return running.watcher.events.filter(
    (e): e is Extract<WatchEvent, { kind: 'sns' }> =>
      e.kind === 'sns' && (event === undefined || e.message.attributes.event?.value === event),
  );
}

export function associateCalls(running: Running): number {
  return running.stack.cloud.audit().filter((a) => a.action === 'AssociateAddress' && a.outcome === 'ok')
    .length;
}
