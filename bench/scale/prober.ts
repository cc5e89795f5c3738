import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ProberScaleResult } from './prober-child';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** Runs a TypeScript file of this folder in a child node process (through tsx). */
function child(file: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', here(file), ...args], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
  });
}

/** Resolves with the first line the child prints. */
function firstLine(proc: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const end = buffer.indexOf('\n');
      if (end >= 0) resolve(buffer.slice(0, end));
    });
    proc.once('error', reject);
    proc.once('exit', (code) => {
      if (!buffer.includes('\n')) reject(new Error(`child exited with ${code} before answering`));
    });
  });
}

/**
 * The prober at scale: a farm of node servers in one child process, and for each size a fresh
 * child running the real probe loop against that many of them for `ticks` ticks.
 */
export async function proberScale(
  sizes: readonly number[],
  ticks: number,
  intervalSeconds: number,
  heartbeatSeconds: number,
): Promise<ProberScaleResult[]> {
  const farm = child('node-farm.ts', [String(Math.max(...sizes))]);
  try {
    const ports = JSON.parse(await firstLine(farm)) as number[];
    const results: ProberScaleResult[] = [];
    for (const nodes of sizes) {
      const run = child(
        'prober-child.ts',
        [String(nodes), String(ticks), String(intervalSeconds), String(heartbeatSeconds)],
        {
          BENCH_PORTS: JSON.stringify(ports),
        },
      );
      results.push(JSON.parse(await firstLine(run)) as ProberScaleResult);
    }
    return results;
  } finally {
    farm.stdin?.end();
  }
}
