import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/** Every entry point, as `npm run <name>` runs it. */
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SCRIPTS = {
  demo: 'local/demo.ts',
  local: 'local/cli.ts',
  invoke: 'scripts/invoke.ts',
  preflight: 'scripts/preflight.ts',
  bench: 'bench/cli.ts',
  simulate: 'sim/cli.ts',
} as const;

function run(
  script: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(`${ROOT}node_modules/.bin/tsx`, [script, ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe('Every entry point', () => {
  for (const [name, script] of Object.entries(SCRIPTS)) {
    it(`npm run ${name} -- --help prints the usage with an example and exits 0`, async () => {
      const out = await run(script, ['--help']);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toMatch(/^usage: npm run /m);
      expect(out.stdout).toMatch(/examples?:\n {2}npm run /);
    }, 60_000);

    it(`npm run ${name} with an unknown flag says so in one line, shows the usage and exits 2`, async () => {
      const out = await run(script, ['--no-such-flag']);
      expect(out.code).toBe(2);
      expect(out.stderr.split('\n')[0]).toMatch(/Unknown option '--no-such-flag'/);
      expect(out.stderr).toMatch(/usage: npm run /);
      expect(out.stderr).not.toMatch(STACK_FRAME);
    }, 60_000);
  }
});

describe('npm run local refusing to start', () => {
  let server: Server | undefined;
  afterAll(() => {
    server?.close();
  });

  it('lists the ids a topology lacks, before starting anything', async () => {
    const out = await run(SCRIPTS.local, [
      '--config',
      'arbiter.yml',
      '--topology',
      'local/examples/demo.topology.yml',
    ]);
    expect(out.code).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('does not match the config: it has no vpc-0a1b2c3d4e5f60000 (vpc)');
    expect(out.stderr).toContain('i-0a1b2c3d4e5f60001 (instance of node lb-1)');
    expect(out.stderr).not.toMatch(STACK_FRAME);
  }, 60_000);

  it('names the flag of a port that is taken', async () => {
    server = createServer();
    const port = await new Promise<number>((done) =>
      server!.listen(0, '127.0.0.1', () => done((server!.address() as { port: number }).port)),
    );
    const out = await run(SCRIPTS.local, ['--ec2-port', String(port)]);
    expect(out.code).toBe(1);
    expect(out.stderr.trim()).toBe(
      `npm run local: 127.0.0.1:${port} (--ec2-port) is already in use; choose another port, or --ec2-port 0 for a free one`,
    );
  }, 60_000);

  it('explains an invalid topology without a stack trace (preflight too)', async () => {
    const out = await run(SCRIPTS.preflight, ['--config', 'arbiter.yml', '--topology', 'arbiter.yml']);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/^Invalid topology \(arbiter\.yml\):/);
    expect(out.stderr).not.toMatch(STACK_FRAME);
  }, 60_000);
});
