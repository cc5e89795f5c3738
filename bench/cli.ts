import '../scripts/require-node';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runMain } from '../scripts/cli-args';
import { BASELINES } from './baselines/index';
import { type BenchOptions, parseBenchArgs, USAGE } from './options';
import { failoverChart } from './report/chart';
import { chartInput } from './report/chart-data';
import {
  renderBenchTables,
  renderCostTables,
  renderModelAssumptions,
  renderPriceTable,
  replaceBetweenMarkers,
} from './report/markdown';
import { type BenchResult, runBench } from './run';

/**
 * `npm run bench`: failover time against the old ways, false failovers, cost per month and
 * scale, in one run. `-- --quick --json` for a short run whose last stdout line is the JSON.
 */
/** The options, or the help (exit 0) or a usage error (one line, the usage, exit 2). */
function optionsOrExit(argv: readonly string[]): BenchOptions {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  try {
    return parseBenchArgs(argv);
  } catch (error) {
    const first = (error as Error).message.split('\n')[0] ?? '';
    process.stderr.write(
      `npm run bench: ${first.replace(/\. To specify a positional argument.*$/, '.')}\n\n${USAGE}\n`,
    );
    process.exit(2);
  }
}

async function main() {
  const options = optionsOrExit(process.argv.slice(2));
  // Progress to stderr, so stdout carries only the summary (or, with --json, the JSON).
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`bench: ${options.mode} run, ${options.trialsPerKind} trials per failure kind, seed ${options.seed}`);
  const result = await runBench(options, log);
  if (options.docs) writeDocs(result, log);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(result, jsonSafe)}\n`);
  } else {
    process.stdout.write(`${renderBenchTables(result)}\n`);
  }
  process.exitCode = result.trials.failed > 0 ? 1 : 0;
}

/** JSON has no NaN: write null, and round long decimals for readability. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value !== 'number') return value;
  if (!Number.isFinite(value)) return null;
  return Number.isInteger(value) ? value : Math.round(value * 1e4) / 1e4;
}

function writeDocs(r: BenchResult, log: (line: string) => void) {
  const tables = renderBenchTables(r);
  const costTables = renderCostTables(r);
  write('docs/bench/table.md', `${tables}\n`);
  write('docs/bench/cost-table.md', `${costTables}\n`);
  write('docs/bench/failover.svg', failoverChart(chartInput(r)));
  write('docs/bench/results.json', `${JSON.stringify(r, jsonSafe, 2)}\n`);
  patch('docs/bench.md', 'results', tables);
  patch('docs/bench.md', 'models', renderModelAssumptions(BASELINES));
  patch('docs/cost.md', 'prices', renderPriceTable());
  patch('docs/cost.md', 'cost', costTables);
  log('docs: wrote docs/bench/ and the generated parts of docs/bench.md and docs/cost.md');
}

function write(path: string, text: string) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function patch(path: string, marker: string, content: string) {
  const doc = existsSync(path) ? readFileSync(path, 'utf8') : '';
  write(path, replaceBetweenMarkers(doc, marker, content));
}

runMain('bench', async () => {
  await main();
  return undefined;
});
