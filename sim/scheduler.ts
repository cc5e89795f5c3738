import { MinHeap } from './heap';
import type { Rng } from './rng';

/**
 * Something that makes calls in the simulated world: one arbiter invocation, one prober
 * invocation, an operator. Crashing an actor abandons its promise chain: its pending
 * responses are never delivered and its timers never fire.
 */
export interface Actor {
  readonly id: string;
  readonly kind: 'arbiter' | 'prober' | 'operator';
  crashed: boolean;
  /** Operations (store, EC2, SNS calls) this actor has started. */
  ops: number;
  /** If set, the actor crashes when it starts its operation number `crashAtOp`. */
  crashAtOp?: number;
}

interface SimEvent {
  at: number;
  seq: number;
  actor: Actor | undefined;
  label: string;
  /** Runs even if the actor crashed (a request already on the wire). */
  survivesCrash: boolean;
  /** Shown in the trace (probe answers and prober sleeps are not: they would crowd it out). */
  traced: boolean;
  run: () => void;
}

/** One line of the trace kept for failure reports. */
export interface TraceLine {
  at: number;
  actor: string;
  what: string;
}

const TRACE_KEPT = 2_000;

/**
 * A discrete-event scheduler with a fake clock. Every asynchronous thing in the simulation
 * (a store or EC2 request reaching the server, its response coming back, a timer, a probe
 * answer) is an event with a due time; `step()` runs the earliest one, advances the clock to
 * it and lets the promise continuations it unblocked run before returning. Latencies are
 * sampled from the seeded RNG, so the interleaving of concurrent actors is seeded too.
 */
export class Scheduler {
  now: number;
  steps = 0;
  private seq = 0;
  private readonly queue = new MinHeap<SimEvent>((a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq));
  private readonly trace: TraceLine[] = [];
  private traceNext = 0;
  /** Told about every crash (for counters). */
  onCrash: ((actor: Actor) => void) | undefined;

  constructor(
    start: number,
    readonly rng: Rng,
  ) {
    this.now = start;
  }

  /** Schedules `run` at absolute time `at` (never in the past). */
  at(at: number, label: string, run: () => void, actor?: Actor, survivesCrash = false, traced = true): void {
    this.queue.push({
      at: Math.max(at, this.now),
      seq: this.seq++,
      actor,
      label,
      survivesCrash,
      traced,
      run,
    });
  }

  /** Schedules `run` after `ms`. */
  after(ms: number, label: string, run: () => void, actor?: Actor, traced = true): void {
    this.at(this.now + ms, label, run, actor, false, traced);
  }

  /** Resolves after `ms` of simulated time, unless the actor crashes first. */
  sleep(actor: Actor, ms: number): Promise<void> {
    return new Promise((resolve) =>
      this.after(ms, `sleep ${ms} ms`, resolve, actor, actor.kind !== 'prober'),
    );
  }

  /**
   * A remote call: the request reaches the server after `requestMs` (where `apply` runs
   * atomically), the response comes back after `responseMs`. If the actor has crashed the
   * response is never delivered; a request already sent still lands with probability 1/2.
   */
  call<T>(
    actor: Actor,
    label: string,
    requestMs: number,
    responseMs: () => number,
    apply: () => T,
  ): Promise<T> {
    actor.ops += 1;
    if (actor.crashAtOp !== undefined && actor.ops >= actor.crashAtOp)
      this.crash(actor, `crash at op ${actor.ops}`);
    const lands = !actor.crashed || this.rng.chance(0.5);
    return new Promise<T>((resolve, reject) => {
      if (!lands) return;
      this.at(
        this.now + requestMs,
        `${label} (request)`,
        () => {
          let outcome: { ok: true; value: T } | { ok: false; error: unknown };
          try {
            outcome = { ok: true, value: apply() };
          } catch (error) {
            outcome = { ok: false, error };
          }
          this.after(
            responseMs(),
            `${label} (${outcome.ok ? 'ok' : `error ${(outcome.error as Error)?.name}`})`,
            () => (outcome.ok ? resolve(outcome.value) : reject(outcome.error)),
            actor,
          );
        },
        actor,
        true,
      );
    });
  }

  /** Marks an actor crashed: nothing it waits for will ever arrive. */
  crash(actor: Actor, why: string): void {
    if (actor.crashed) return;
    actor.crashed = true;
    this.onCrash?.(actor);
    this.log(actor.id, why);
  }

  /** Time of the next event, or undefined if nothing is scheduled. */
  nextAt(): number | undefined {
    return this.queue.peek()?.at;
  }

  /**
   * Runs the next live event and the continuations it unblocks.
   * @returns false if nothing was left to run.
   */
  async step(): Promise<boolean> {
    for (;;) {
      const ev = this.queue.pop();
      if (!ev) return false;
      if (ev.actor?.crashed && !ev.survivesCrash) continue;
      this.now = ev.at;
      this.steps += 1;
      if (ev.traced) this.log(ev.actor?.id ?? '-', ev.label);
      ev.run();
      await drainMicrotasks();
      return true;
    }
  }

  /** Adds a line to the trace (kept as a ring of the last few hundred lines). */
  log(actor: string, what: string): void {
    const line = { at: this.now, actor, what };
    if (this.trace.length < TRACE_KEPT) this.trace.push(line);
    else this.trace[this.traceNext] = line;
    this.traceNext = (this.traceNext + 1) % TRACE_KEPT;
  }

  /** The last trace lines, oldest first. */
  recentTrace(): TraceLine[] {
    if (this.trace.length < TRACE_KEPT) return [...this.trace];
    return [...this.trace.slice(this.traceNext), ...this.trace.slice(0, this.traceNext)];
  }
}

/** Lets every promise continuation queued so far (and the ones they queue) run. */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
