import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startStack } from '../../local/stack';
import { StackWatcher } from '../../local/watch';

/**
 * Every command of a ```sh local block in README.md and docs/*.md, run in the shell that
 * `npm run local -- --config arbiter.yml` sets up (its printed environment lines), so a
 * documented command cannot rot: each must exit 0 and print no NotFound error.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const COMMAND_TIMEOUT_MS = 150_000;

interface DocCommand {
  file: string;
  line: number;
  command: string;
}

/** The commands of the runnable blocks: one per line, comments and blank lines left out. */
function runnableCommands(file: string, text: string): DocCommand[] {
  const out: DocCommand[] = [];
  const lines = text.split('\n');
  let inBlock = false;
  lines.forEach((line, i) => {
    if (!inBlock && /^```sh local\s*$/.test(line)) inBlock = true;
    else if (inBlock && /^```\s*$/.test(line)) inBlock = false;
    else if (inBlock && line.trim() !== '' && !line.trim().startsWith('#'))
      out.push({ file, line: i + 1, command: line.trim() });
  });
  return out;
}

const DOCS = [
  'README.md',
  ...readdirSync(`${ROOT}docs`)
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const COMMANDS = DOCS.flatMap((file) => runnableCommands(file, readFileSync(`${ROOT}${file}`, 'utf8')));
const HAS_AWS_CLI = spawnSync('sh', ['-c', 'command -v aws'], { encoding: 'utf8' }).status === 0;

/** The user's environment without AWS settings of its own, plus the printed lines. */
function printedShell(stack: LocalStack): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^AWS_/.test(key) || ['TABLE_NAME', 'TOPIC_ARN', 'CONFIG_PATH'].includes(key)) continue;
    env[key] = value;
  }
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', ...stack.env };
}

function run(command: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((done, fail) => {
    const child = spawn('bash', ['-c', `set -o pipefail; ${command}`], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, COMMAND_TIMEOUT_MS - 5_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, out });
    });
  });
}

describe('runnable commands of the docs', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startStack({ configPath: 'arbiter.yml' });
    const watcher = new StackWatcher(stack);
    await stack.runtime.start();
    const group = stack.config.groups[0]!;
    const wanted = group.vantages.length * group.nodes.length;
    const end = Date.now() + 60_000;
    for (;;) {
      const ups = new Set(
        watcher.events
          .flatMap((e) => (e.kind === 'verdict' && e.status === 'UP' ? [e] : []))
          .map((e) => e.node + e.vantage),
      );
      if (ups.size >= wanted) break;
      if (Date.now() > end) throw new Error(`only ${ups.size}/${wanted} UP verdicts after 60 s`);
      await new Promise((r) => setTimeout(r, 200));
    }
    watcher.stop();
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('finds runnable commands in the README and in docs/local.md', () => {
    expect(COMMANDS.some((c) => c.file === 'README.md')).toBe(true);
    expect(COMMANDS.filter((c) => c.file === 'docs/local.md').length).toBeGreaterThan(5);
  });

  for (const c of COMMANDS) {
    const needsAws = /^aws\s/.test(c.command);
    it.skipIf(needsAws && !HAS_AWS_CLI)(
      `${c.file}:${c.line} runs: ${c.command}`,
      async () => {
        const { code, out } = await run(c.command, printedShell(stack));
        expect(code, out).toBe(0);
        expect(out).not.toMatch(/NotFound/);
        expect(out).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      },
      COMMAND_TIMEOUT_MS,
    );
  }
});
