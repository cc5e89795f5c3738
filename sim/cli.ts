import '../scripts/require-node';
import { readFileSync, writeFileSync } from 'node:fs';
import { defineCli, parseCliOrExit, runMain, UsageError, usageText } from '../scripts/cli-args';
import { runEpisode } from './episode';
import { episodesOf, type RegressionFile } from './regression-file';
import { shrinkFailure, simulate } from './run';
import type { TraceLine } from './scheduler';
import { SIM_EPOCH } from './topology';

const CLI = defineCli({
  command: 'npm run simulate --',
  summary: `Runs the deterministic simulation of arbiters, probers, nodes, EC2 and the table with
injected faults, checking the safety invariants after every step (docs/simulation.md).
A failing run prints the seed, the violation and a counterexample shrunk by fast-check;
--save writes it as JSON that test/sim/regressions/ takes as is; --replay runs such a file.`,
  flags: {
    steps: { type: 'string', default: '50000', value: 'N', help: 'simulation steps in all' },
    seed: { type: 'string', default: '20261123', value: 'S', help: 'seed of every random draw' },
    json: { type: 'boolean', default: false, help: 'print one JSON summary line' },
    'shrink-seconds': {
      type: 'string',
      default: '120',
      value: 'T',
      help: 'time allowed to shrink a counterexample',
    },
    save: { type: 'string', value: 'FILE', help: 'write a found counterexample here (JSON)' },
    replay: { type: 'string', value: 'FILE', help: 'run the episodes of a saved file instead' },
  },
  examples: [
    'npm run simulate -- --steps 50000 --seed 20261123 --json',
    'npm run simulate -- --replay test/sim/regressions/<file>.json',
  ],
});
const USAGE = usageText(CLI);

function formatTrace(trace: readonly TraceLine[], last: number): string {
  return trace
    .slice(-last)
    .map((l) => `  ${((l.at - SIM_EPOCH) / 1000).toFixed(3).padStart(9)} s  ${l.actor.padEnd(22)} ${l.what}`)
    .join('\n');
}

async function main(): Promise<number> {
  const { values } = parseCliOrExit(CLI);
  if (values.replay) {
    const episodes = episodesOf(JSON.parse(readFileSync(values.replay, 'utf8')));
    let steps = 0;
    let violations = 0;
    let failovers = 0;
    for (const episode of episodes) {
      const r = await runEpisode(episode);
      steps += r.steps;
      violations += r.violations.length;
      failovers += r.stats.failovers;
      if (r.violations.length > 0) {
        console.log(`violation: ${r.violations[0]?.invariant}: ${r.violations[0]?.message}`);
        console.log(JSON.stringify(episode));
        console.log(formatTrace(r.trace, 60));
      }
    }
    const out = { replay: values.replay, episodes: episodes.length, steps, violations, failovers };
    console.log(
      values.json
        ? JSON.stringify(out)
        : `replayed ${episodes.length} episode(s), ${steps} steps, ${violations} violation(s)`,
    );
    return violations > 0 ? 1 : 0;
  }
  const steps = Number(values.steps);
  const seed = Number(values.seed);
  if (!Number.isInteger(steps) || steps < 1 || !Number.isInteger(seed)) {
    throw new UsageError(`--steps and --seed must be integers (got ${values.steps}, ${values.seed})`);
  }
  let lastReport = 0;
  const summary = await simulate({
    steps,
    seed,
    onEpisode: (_i, _r, total) => {
      if (!values.json && total - lastReport >= 100_000) {
        lastReport = total;
        console.error(`  ${total} steps...`);
      }
    },
  });
  const { failure, ...totals } = summary;
  let shrunkOut: Record<string, unknown> | undefined;
  if (failure) {
    console.log(
      `VIOLATION with --seed ${seed} (episode ${failure.episodeIndex}, episode seed ${failure.episodeSeed})`,
    );
    console.log(`  ${failure.violation.invariant}: ${failure.violation.message}`);
    console.log(
      `  at step ${failure.violation.step}, ${(failure.violation.atMs / 1000).toFixed(3)} s into the episode`,
    );
    console.log('Trace before the violation:');
    console.log(formatTrace(failure.trace, 40));
    console.log(`Shrinking with fast-check (up to ${values['shrink-seconds']} s)...`);
    const shrunk = await shrinkFailure(
      failure.episodeSeed,
      failure.violation.invariant,
      Number(values['shrink-seconds']) * 1000,
    );
    console.log(`Shrunk counterexample (${shrunk.shrinks} shrinks): ${shrunk.violation?.message}`);
    console.log(JSON.stringify(shrunk.episode));
    console.log('Trace of the shrunk counterexample:');
    console.log(formatTrace(shrunk.trace, 60));
    if (values.save) {
      const file: RegressionFile = {
        name: `seed-${seed}-episode-${failure.episodeIndex}`,
        kind: 'bug',
        invariant: shrunk.violation.invariant,
        found: `npm run simulate -- --steps ${steps} --seed ${seed} (step ${failure.violation.step} of episode ${failure.episodeIndex}), shrunk by fast-check`,
        what: shrunk.violation.message,
        fix: '(say what fixed it)',
        episodes: [shrunk.episode],
      };
      writeFileSync(values.save, `${JSON.stringify(file, null, 2)}\n`);
      console.log(`saved to ${values.save} (replay: npm run simulate -- --replay ${values.save})`);
    }
    shrunkOut = { episode: shrunk.episode, violation: shrunk.violation, shrinks: shrunk.shrinks };
  }
  const out = {
    ...totals,
    ...(failure
      ? {
          failure: {
            episodeIndex: failure.episodeIndex,
            episodeSeed: failure.episodeSeed,
            violation: failure.violation,
          },
        }
      : {}),
    ...(shrunkOut ? { shrunk: shrunkOut } : {}),
  };
  if (values.json) console.log(JSON.stringify(out));
  else {
    console.log(
      `${summary.steps} steps, ${summary.episodes} episodes, ${summary.simulatedHours} simulated hours, ` +
        `${summary.violations} violation(s), ${summary.failovers} automatic failovers, ${summary.manualMoves} manual moves, ` +
        `${summary.notifications} notifications, ${summary.faultsInjected} faults injected, ` +
        `${summary.stepsPerSecond} steps/s (${summary.wallMs} ms), seed ${seed}`,
    );
  }
  return summary.violations > 0 ? 1 : 0;
}

runMain('simulate', main, USAGE);
