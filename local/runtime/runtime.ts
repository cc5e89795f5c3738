import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';
import { ASYNC_MAX_EVENT_AGE_SECONDS, PROBER_TIMEOUT_SECONDS } from '../../infra/timing';
import type { ArbiterConfig } from '../../shared/config/schema';
import { ConcurrencyOne } from './concurrency-one';
import type { LocalDynamo } from './dynamo';
import { FunctionHost, repoPath } from './function-host';
import { passesArbiterFilter, type StreamListener, StreamPoller } from './stream-poller';

/** Lambda drops an asynchronous event this old (the stack's maximumEventAge). */
const MAX_EVENT_AGE_MS = ASYNC_MAX_EVENT_AGE_SECONDS * 1000;

/** Settings of the local Lambda runtime. */
export interface RuntimeOptions {
  config: ArbiterConfig;
  configPath: string;
  dynamo: LocalDynamo;
  /** Environment every function gets: endpoints, region, TOPIC_ARN... */
  env: Record<string, string>;
  /**
   * Each function's own key pair, by function key (`arbiter`, `probe-az-a`): what its role's
   * session credentials are on AWS. A function without one fails to start.
   */
  credentials: ReadonlyMap<string, { readonly accessKeyId: string; readonly secretAccessKey: string }>;
  /** Prober schedule (the deployed stack uses 60 s) and prober timeout. */
  probeEverySeconds?: number;
  probeTimeoutSeconds?: number;
  /** Arbiter reconcile schedule (deployed: 60 s). */
  reconcileEverySeconds?: number;
  streamPollMs?: number;
  logDir?: string;
  /** Start the schedules (false: only manual invocations and the stream). */
  schedules?: boolean;
}

/** Something the runtime did, for timelines. */
export type RuntimeEvent =
  | { type: 'invoke'; fn: string; trigger: string; at: number }
  | {
      type: 'result';
      fn: string;
      trigger: string;
      at: number;
      durationMs: number;
      result?: unknown;
      error?: string;
    };

const OPERATION_FUNCTIONS = ['failover', 'status', 'control', 'preflight', 'drill'] as const;

/** A drill makes two moves and waits for the vantages after each: more than the others' 30 s. */
const FUNCTION_TIMEOUT_MS: Partial<Record<(typeof OPERATION_FUNCTIONS)[number], number>> = { drill: 300_000 };

/**
 * Runs the project's handlers the way Lambda would: probers on their schedule (one container
 * each, concurrency 1), the arbiter on verdict-row stream records and on its reconcile
 * schedule, and manual invocations (failover, status, control, preflight, drill).
 */
export class LocalRuntime {
  readonly functions = new Map<string, FunctionHost>();
  private readonly poller: StreamPoller;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly listeners: Array<(e: RuntimeEvent) => void> = [];
  private readonly probers = new Map<string, ConcurrencyOne>();
  private streamQueue: DynamoDBRecord[] = [];
  private streamBusy = false;
  private stopped = false;

  constructor(private readonly options: RuntimeOptions) {
    const { config, configPath, dynamo, env } = options;
    const base = {
      ...env,
      CONFIG_PATH: configPath,
      TABLE_NAME: dynamo.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      POWERTOOLS_SERVICE_NAME: 'ha-arbiter',
      POWERTOOLS_METRICS_NAMESPACE: 'HaArbiter',
    };
    const add = (name: string, file: string, extra: Record<string, string>, timeoutMs: number) => {
      const keys = options.credentials.get(name);
      if (!keys) throw new Error(`no local credentials for function ${name}`);
      this.functions.set(
        name,
        new FunctionHost({
          name,
          handlerFile: repoPath(file),
          exportName: 'handler',
          env: {
            ...base,
            AWS_LAMBDA_FUNCTION_NAME: name,
            AWS_ACCESS_KEY_ID: keys.accessKeyId,
            AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
            ...extra,
          },
          timeoutMs,
          ...(options.logDir ? { logFile: join(options.logDir, `${name}.log`) } : {}),
        }),
      );
    };
    const probeTimeout = (options.probeTimeoutSeconds ?? PROBER_TIMEOUT_SECONDS) * 1000;
    for (const v of config.vantages)
      add(`probe-${v.id}`, 'functions/probe.ts', { VANTAGE_ID: v.id }, probeTimeout);
    add('arbiter', 'functions/arbiter.ts', {}, 30_000);
    for (const fn of OPERATION_FUNCTIONS) {
      if (existsSync(repoPath(`functions/${fn}.ts`)))
        add(fn, `functions/${fn}.ts`, {}, FUNCTION_TIMEOUT_MS[fn] ?? 30_000);
    }
    this.poller = new StreamPoller(dynamo.client, dynamo.tableName, options.streamPollMs ?? 100);
    this.poller.onRecords((records) => {
      const passing = records.filter(passesArbiterFilter);
      if (passing.length === 0) return;
      this.streamQueue.push(...passing);
      void this.drainStream();
    });
  }

  /** Listens to every changed table row (not only the ones that pass the arbiter's filter). */
  onTableChange(listener: StreamListener): void {
    this.poller.onRecords(listener);
  }

  onEvent(listener: (e: RuntimeEvent) => void): void {
    this.listeners.push(listener);
  }

  async start(): Promise<void> {
    await this.poller.start();
    if (this.options.schedules === false) return;
    const probeEvery = (this.options.probeEverySeconds ?? 60) * 1000;
    const reconcileEvery = (this.options.reconcileEverySeconds ?? 60) * 1000;
    const runProbers = () => {
      for (const name of this.functions.keys()) if (name.startsWith('probe-')) this.runProber(name);
    };
    runProbers();
    this.every(probeEvery, runProbers);
    this.every(reconcileEvery, () => {
      void this.invoke(
        'arbiter',
        { source: 'ha-arbiter.schedule', time: new Date().toISOString() },
        'schedule',
      ).catch(() => undefined);
    });
  }

  /** Invokes a function by name with a payload (as `serverless invoke -f <name>` would). */
  async invoke(fn: string, payload: unknown, trigger = 'manual'): Promise<unknown> {
    const host = this.functions.get(fn);
    if (!host) throw new Error(`no function ${fn} (known: ${[...this.functions.keys()].join(', ')})`);
    const at = Date.now();
    this.emit({ type: 'invoke', fn, trigger, at });
    try {
      const result = await host.invoke(payload);
      this.emit({ type: 'result', fn, trigger, at: Date.now(), durationMs: Date.now() - at, result });
      return result;
    } catch (error) {
      this.emit({
        type: 'result',
        fn,
        trigger,
        at: Date.now(),
        durationMs: Date.now() - at,
        error: (error as Error).message,
      });
      throw error;
    }
  }

  /** Kills a function's container mid-flight (a crash); the next invocation cold-starts. */
  async kill(fn: string): Promise<void> {
    await this.functions.get(fn)?.kill();
  }

  /** Polls the table once now (tests use it to deliver stream records without waiting). */
  pollStream(): Promise<void> {
    return this.poller.pollOnce();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.poller.stop();
    await Promise.all([...this.functions.values()].map((f) => f.close()));
  }

  private every(ms: number, fn: () => void) {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  /** A scheduled prober invocation, through the prober's reserved concurrency of 1. */
  private runProber(name: string) {
    let gate = this.probers.get(name);
    if (!gate) {
      gate = new ConcurrencyOne(
        (scheduledAt, trigger) =>
          // A failure is logged through the result event; the next schedule starts a fresh loop.
          this.invoke(
            name,
            { source: 'ha-arbiter.schedule', time: new Date(scheduledAt).toISOString() },
            trigger,
          ),
        { maxEventAgeMs: MAX_EVENT_AGE_MS, stopped: () => this.stopped },
      );
      this.probers.set(name, gate);
    }
    gate.deliver();
  }

  /** One batch in flight at a time, in order, like one stream shard. */
  private async drainStream() {
    if (this.streamBusy || this.stopped) return;
    this.streamBusy = true;
    try {
      while (this.streamQueue.length > 0 && !this.stopped) {
        const batch = this.streamQueue.splice(0, 10);
        await this.invoke('arbiter', { Records: batch }, 'stream').catch(() => undefined);
      }
    } finally {
      this.streamBusy = false;
    }
  }

  private emit(e: RuntimeEvent) {
    for (const l of this.listeners) l(e);
  }
}
