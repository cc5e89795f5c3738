import { probeNode } from '../../shared/adapters/probe/probe-node';
import { silentLog } from '../../shared/ports/log';
import { runProbeLoop } from '../../shared/usecases/probe-loop';
import { CountingVerdictStore } from './counting-verdict-store';
import { scaleConfig, upVerdicts } from './scale-config';
import { VirtualClock } from './virtual-clock';

/** What one prober run at one size measured. */
export interface ProberScaleResult {
  nodes: number;
  ticks: number;
  tickMs: number[];
  /** Resident set and heap after the loop, and resident set before the config was built. */
  rssMb: number;
  heapUsedMb: number;
  baseRssMb: number;
  verdictWrites: number;
  heartbeatWrites: number;
  /** Time that passed on the loop's clock (ticks x interval). */
  simulatedMs: number;
}

/**
 * Child process of the scale bench: runs the real probe loop (real HTTP probes to the node
 * farm's ports, real rise/fall, real write logic) into an in-memory store, for a fixed number
 * of ticks on a virtual clock, and prints what it measured as one JSON line. A fresh process
 * per size, so its memory is the prober's alone.
 */
async function main() {
  const [nodesArg, ticksArg, intervalArg, heartbeatArg] = process.argv.slice(2);
  const ports = JSON.parse(process.env.BENCH_PORTS ?? '[]') as number[];
  const nodes = Number(nodesArg);
  const ticks = Number(ticksArg);
  const baseRss = process.memoryUsage().rss;
  const config = scaleConfig(ports.slice(0, nodes), Number(intervalArg), Number(heartbeatArg));
  const store = new CountingVerdictStore(upVerdicts(config, 'v1'));
  const clock = new VirtualClock();
  let probes = 0;
  const summary = await runProbeLoop({
    config,
    vantage: 'v1',
    store,
    probe: (group, node) => {
      probes += 1;
      return probeNode(group, node);
    },
    now: clock.now,
    sleep: clock.sleep,
    remainingMs: () => (probes < ticks * nodes ? 3_600_000 : 0),
    log: silentLog,
  });
  const memory = process.memoryUsage();
  const result: ProberScaleResult = {
    nodes,
    ticks: summary.ticks,
    tickMs: summary.tickMs,
    rssMb: memory.rss / 2 ** 20,
    heapUsedMb: memory.heapUsed / 2 ** 20,
    baseRssMb: baseRss / 2 ** 20,
    verdictWrites: store.verdictWrites,
    heartbeatWrites: store.heartbeatWrites,
    simulatedMs: summary.ticks * Number(intervalArg) * 1000,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

void main();
