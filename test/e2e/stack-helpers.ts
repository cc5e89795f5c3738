import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { afterEach } from 'vitest';
import type { AuditEntry } from '../../local/cloud/index';
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

export interface SteadyOptions {
  config?: string;
  topology?: string;
  faults?: StackOptions['faults'];
  runtime?: StackOptions['runtime'];
  /** How long the nodes may take to be UP from every vantage (default 20 s; more on a loaded machine). */
  upWithinMs?: number;
}

/**
 * For a describe block: returns `start`, which starts a steady stack (startSteady), and
 * registers an afterEach that stops the stack the test started.
 */
export function stackPerTest(): (options?: SteadyOptions) => Promise<Running> {
  let running: Running | undefined;
  afterEach(async () => {
    await running?.stop();
    running = undefined;
  });
  return async (options) => {
    running = await startSteady(options);
    return running;
  };
}

/** Starts the local stack and waits until every vantage sees every node UP. */
export async function startSteady(options: SteadyOptions = {}): Promise<Running> {
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
    // Each prober's first invocation is a cold start (a worker loading its handler through
    // tsx): about a second idle, 20 s and more on a loaded machine.
    options.upWithinMs ?? 60_000,
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

/** Waits until `count` notifications of `event` were published; returns all of them. */
export async function waitForAlerts(running: Running, event: string, count: number, timeoutMs = 20_000) {
  await until(() => snsEvents(running, event).length >= count, timeoutMs, `${count} ${event} alert(s)`);
  return snsEvents(running, event);
}

/** Mutating EC2 calls that succeeded (of one action, if given), from the audit log. */
export function okCalls(running: Running, action?: string): AuditEntry[] {
  return running.stack.cloud
    .audit()
    .filter((a) => a.outcome === 'ok' && (action === undefined || a.action === action));
}

export function associateCalls(running: Running): number {
  return okCalls(running, 'AssociateAddress').length;
}

/** The group's state row as the arbiter wrote it (consistent read). */
export async function readState(running: Running, group = 'web-lb'): Promise<Record<string, unknown>> {
  const { dynamo } = running.stack;
  const out = await dynamo.client.send(
    new GetItemCommand({
      TableName: dynamo.tableName,
      Key: { pk: { S: `g#${group}` }, sk: { S: 'state' } },
      ConsistentRead: true,
    }),
  );
  return out.Item ? unmarshall(out.Item) : {};
}
