import type { NodeConfig } from '../shared/config/schema';
import type { ProbeResult } from '../shared/domain/model';
import { silentLog } from '../shared/ports/log';
import { runProbeLoop } from '../shared/usecases/probe-loop';
import { newActor, type SimActor } from './actors';
import { ScheduledStore } from './store/scheduled-store';
import type { SimWorld } from './world';

/** What a probe finds at a node's service. */
export type Service = 'up' | 'refused' | 'hung';

/**
 * The vantage points: one prober invocation per vantage per minute runs the real probe loop
 * (rise/fall in VerdictTracker, verdict rows on change, heartbeats) with a probe simulated from
 * the node's state and the faults, on the vantage's own clock (skewed by up to ±1 s).
 */
export class Probers {
  private readonly skews: number[];
  private readonly running: boolean[];

  constructor(private readonly w: SimWorld) {
    this.skews = w.group.vantages.map(() => w.rng.int(-1000, 1000));
    this.running = w.group.vantages.map(() => false);
  }

  /** Schedules each vantage's first invocation within the first 5 s. */
  start(): void {
    this.w.group.vantages.forEach((_, v) => {
      this.w.sched.after(this.w.rng.int(0, 5_000), `prober ${v} tick`, () => this.tick(v));
    });
  }

  /** The node's service now: refused while crashed or in the down half of a flap, hung while hung. */
  service(node: number, now: number): Service {
    const { faults } = this.w;
    if (faults.active('node-hang', now, node)) return 'hung';
    if (faults.active('node-crash', now, node)) return 'refused';
    const flapStart = faults.startOf('node-flap', now, node);
    if (flapStart !== undefined) {
      const period = faults.value('node-flap', now, node);
      if (Math.floor((now - flapStart) / period) % 2 === 1) return 'refused';
    }
    return 'up';
  }

  /** One scheduled invocation (reserved concurrency 1: skipped while the last one runs). */
  private tick(v: number): void {
    const { w } = this;
    w.sched.after(60_000, `prober ${v} tick`, () => this.tick(v));
    if (this.running[v]) return;
    this.running[v] = true;
    const vantage = w.group.vantages[v] as string;
    const actor = newActor('prober', w.actorId(`probe-${vantage}`));
    actor.vantage = v;
    const startedAt = w.sched.now;
    const skew = this.skews[v] ?? 0;
    runProbeLoop({
      config: w.config,
      vantage,
      store: new ScheduledStore(w, actor),
      probe: (_group, node) => this.probe(v, node, actor),
      now: () => w.sched.now + skew,
      sleep: (ms) => w.sched.sleep(actor, ms),
      remainingMs: () => startedAt + 60_000 - w.sched.now,
      log: silentLog,
    })
      .catch(() => undefined)
      .finally(() => {
        this.running[v] = false;
      });
  }

  private probe(v: number, node: NodeConfig, actor: SimActor): Promise<ProbeResult> {
    const { w } = this;
    const now = w.sched.now;
    const at = now + (this.skews[v] ?? 0);
    const timeoutMs = w.group.policy.timeoutMs;
    const instance = w.instanceTruth(node.instanceId);
    const service = this.service(w.group.nodes.indexOf(node), now);
    const lost = w.rng.chance(w.faults.value('probe-loss', now, v));
    const unreachable = w.faults.active('vantage-partition', now, v) || instance.state !== 'running';
    let result: ProbeResult;
    if (unreachable || lost || service === 'hung') {
      result = { ok: false, latencyMs: timeoutMs, at, error: `timeout after ${timeoutMs} ms` };
    } else if (service === 'refused') {
      result = { ok: false, latencyMs: w.rng.int(1, 3), at, error: 'ECONNREFUSED' };
    } else {
      result = { ok: true, latencyMs: w.rng.int(1, 30), at, status: 200 };
    }
    return new Promise((resolve) => {
      w.sched.after(result.latencyMs, `probe ${node.id}`, () => resolve(result), actor, false);
    });
  }
}
