/**
 * The faults the simulator injects. Targets are indexes taken modulo the number of nodes,
 * vantages or arbiters of the episode's topology, so that a schedule stays valid when
 * fast-check shrinks it or replays it against another variant. `at` is milliseconds from
 * the start of the episode; `forMs: null` means the fault never ends (a node that stays dead).
 */
export type Fault =
  | {
      kind: 'node-crash' | 'node-hang' | 'instance-stop' | 'instance-impaired';
      at: number;
      node: number;
      forMs: number | null;
    }
  | { kind: 'node-flap'; at: number; node: number; forMs: number; periodMs: number }
  | { kind: 'probe-loss'; at: number; vantage: number; rate: number; forMs: number }
  | { kind: 'vantage-partition' | 'vantage-store-down'; at: number; vantage: number; forMs: number }
  | { kind: 'ec2-throttle' | 'ec2-5xx' | 'store-errors'; at: number; rate: number; forMs: number }
  | { kind: 'ec2-latency' | 'store-latency'; at: number; extraMs: number; forMs: number }
  /**
   * The next response to an invocation on this arbiter arrives `ms` late (a GC pause, a frozen
   * container); with duringMove, a response to one that holds the lease (mid-failover), after
   * letting `skip` such responses through (so that the stall lands at every step of a move).
   */
  | { kind: 'stall'; at: number; arbiter: number; ms: number; duringMove: boolean; skip: number }
  /** The next invocation (or, with onLease, the next one that takes the lease) crashes at its N-th call. */
  | { kind: 'arbiter-crash'; at: number; afterOps: number; onLease: boolean }
  | { kind: 'event-dup'; at: number; rate: number; forMs: number }
  | { kind: 'event-late'; at: number; delayMs: number; forMs: number }
  /**
   * An operator's manual failover (force: no health check) racing the automatic path; with
   * onLease, it starts the moment the next automatic move takes the lease.
   */
  | { kind: 'manual-failover'; at: number; node: number; force: boolean; onLease?: boolean }
  /** An operator's `control` action (ban/unban a node, pause/resume, reset the breaker). */
  | {
      kind: 'control';
      at: number;
      action: 'ban' | 'unban' | 'pause' | 'resume' | 'reset';
      node: number;
      /** For a ban: minutes until it ends on its own; null = until unbanned. */
      minutes: number | null;
    }
  /** Someone moves the first resource by hand in the console (drift). */
  | { kind: 'hand-move'; at: number; node: number }
  /**
   * This arbiter container's clock jumps to `offsetMs` from the true time (up to a minute,
   * beyond the lease of the short-lease variants); its monotonic clock keeps the true rate.
   * It proves the skew from the table's answers, reads AWS's time, and holds its automatic
   * moves while beyond the 2 s bound. Put right when the faults stop.
   */
  | { kind: 'clock-offset'; at: number; arbiter: number; offsetMs: number };

export type FaultKind = Fault['kind'];

/** A fault in effect over a time window. */
interface Window {
  kind: FaultKind;
  target: number;
  start: number;
  end: number;
  value: number;
}

/** Longest delay before a mutating EC2 request takes effect (the SDK's timeouts bound it). */
export const MAX_MUTATION_REQUEST_MS = 5_000;

/**
 * The fault windows in effect, asked by the simulated network, EC2, store and probes.
 * Windows end by themselves; `stopAll` ends every window at once (the quiet phase).
 */
export class FaultState {
  private windows: Window[] = [];
  private stoppedAt = Number.POSITIVE_INFINITY;

  add(kind: FaultKind, target: number, start: number, forMs: number | null, value = 0): void {
    const end = forMs === null ? Number.POSITIVE_INFINITY : start + forMs;
    this.windows.push({ kind, target, start, end, value });
  }

  /** Ends every transient fault at `now` (node faults marked permanent stay). */
  stopAll(now: number, keep: (kind: FaultKind, end: number) => boolean): void {
    this.stoppedAt = now;
    for (const w of this.windows) if (w.end > now && !keep(w.kind, w.end)) w.end = now;
  }

  get quietSince(): number {
    return this.stoppedAt;
  }

  /** The largest value (rate, extra ms) of the windows of this kind active now, or 0. */
  value(kind: FaultKind, now: number, target = -1): number {
    let v = 0;
    for (const w of this.windows) {
      if (w.kind === kind && w.start <= now && now < w.end && (target < 0 || w.target === target)) {
        v = Math.max(v, w.value || 1);
      }
    }
    return v;
  }

  active(kind: FaultKind, now: number, target = -1): boolean {
    return this.value(kind, now, target) > 0;
  }

  /** The start of the active window of this kind on this target (for flapping phases). */
  startOf(kind: FaultKind, now: number, target: number): number | undefined {
    for (const w of this.windows) {
      if (w.kind === kind && w.target === target && w.start <= now && now < w.end) return w.start;
    }
    return undefined;
  }

  /** Drops windows that ended before `now` (keeps long runs lean). */
  prune(now: number): void {
    if (this.windows.length > 64) this.windows = this.windows.filter((w) => w.end > now);
  }
}
