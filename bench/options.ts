import { parseArgs } from 'node:util';
import type { Ec2Timing } from './baselines/model';

/** Everything a bench run can be told. */
export interface BenchOptions {
  mode: 'quick' | 'full';
  json: boolean;
  /** Skip the live trials (models, simulations, scale and cost only). */
  live: boolean;
  /** Write docs/bench.md, docs/cost.md and docs/bench/ (default: only a full run with the live part). */
  docs: boolean;
  configPath: string;
  topologyPath: string;
  trialsPerKind: number;
  /** Failover trials per failure kind at the shipped defaults (a second live stack). */
  defaultsTrialsPerKind: number;
  ec2: Ec2Timing;
  streamPollMs: number;
  lossRate: number;
  falseMinutes: number;
  scaleSizes: number[];
  scaleTicks: number;
  decideGroups: number[];
  decidePasses: number;
  seed: number;
}

/** The usage text of `npm run bench` (printed by `--help`). */
export const USAGE = `usage: npm run bench [-- options]
  --quick                 a short run (under ~5 minutes): fewer trials, shorter simulations
  --json                  print the result as JSON on the last line (progress goes to stderr)
  --trials N              failover trials per failure kind (default 25, quick 8)
  --describe-latency MS   injected latency of every EC2 Describe call (default 300)
  --mutate-latency MS     injected latency of every mutating EC2 call (default 800)
  --propagation-ms MS     time until traffic follows a move (default 500)
  --stream-poll-ms MS     local table-stream poll interval (default 100)
  --loss RATE             probe loss for the false-failover runs (default 0.05)
  --false-minutes N       simulated minutes per false-failover run (default 100000, quick 20000)
  --seed N                seed of every random draw (default 20261125)
  --no-live               skip the live trials (models and simulations only)
  --docs / --no-docs      write docs/bench.md, docs/cost.md, docs/bench/ (default: full live runs only)
  --config PATH --topology PATH   the live stack (default bench/fixtures/)
  --help, -h              print this help and exit

examples:
  npm run bench -- --quick --json
  npm run bench -- --no-live --seed 7`;

/** Parses the command line; throws with the usage text on a bad option. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) throw new Error(USAGE);
  const quick = v.quick === true;
  const int = (name: string, text: string | undefined, fallback: number, min = 0) => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isFinite(n) || n < min)
      throw new Error(`--${name} must be a number >= ${min}, got ${JSON.stringify(text)}`);
    return n;
  };
  const loss = int('loss', v.loss, 0.05);
  if (loss >= 1) throw new Error(`--loss must be below 1, got ${loss}`);
  return {
    mode: quick ? 'quick' : 'full',
    json: v.json === true,
    live: v['no-live'] !== true,
    // Only a full run with the live part may rewrite the docs unless asked to.
    docs: v['no-docs'] === true ? false : v.docs === true || (!quick && v['no-live'] !== true),
    configPath: v.config ?? 'bench/fixtures/bench.arbiter.yml',
    topologyPath: v.topology ?? 'bench/fixtures/bench.topology.yml',
    trialsPerKind: int('trials', v.trials, quick ? 8 : 25, 1),
    defaultsTrialsPerKind: quick ? 5 : 25,
    ec2: {
      describeMs: int('describe-latency', v['describe-latency'], 300),
      mutatingMs: int('mutate-latency', v['mutate-latency'], 800),
      propagationMs: int('propagation-ms', v['propagation-ms'], 500),
    },
    streamPollMs: int('stream-poll-ms', v['stream-poll-ms'], 100, 10),
    lossRate: loss,
    falseMinutes: int('false-minutes', v['false-minutes'], quick ? 20_000 : 100_000, 1),
    scaleSizes: [10, 100, 500, 1000],
    // Multiples of 6 ticks at 5 s = whole 30 s heartbeat periods, so write rates have no edge effect.
    scaleTicks: quick ? 18 : 36,
    decideGroups: [1, 100, 1000],
    decidePasses: quick ? 20 : 50,
    seed: int('seed', v.seed, 20261125),
  };
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
      docs: { type: 'boolean' },
      'no-docs': { type: 'boolean' },
      'no-live': { type: 'boolean' },
      trials: { type: 'string' },
      'describe-latency': { type: 'string' },
      'mutate-latency': { type: 'string' },
      'propagation-ms': { type: 'string' },
      'stream-poll-ms': { type: 'string' },
      loss: { type: 'string' },
      'false-minutes': { type: 'string' },
      seed: { type: 'string' },
      config: { type: 'string' },
      topology: { type: 'string' },
    },
    strict: true,
  });
}
