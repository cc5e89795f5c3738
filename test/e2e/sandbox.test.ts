import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { DrillReport } from '../../scripts/sandbox/measure';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** `npm run sandbox -- <args>` as a user runs it (tsx in a child process, no AWS credentials). */
function sandbox(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1', AWS_EC2_METADATA_DISABLED: 'true' };
  for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'])
    delete env[key];
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [resolve(ROOT, 'node_modules/tsx/dist/cli.mjs'), 'scripts/sandbox/cli.ts', ...args],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('npm run sandbox -- drill --local', () => {
  it('breaks the holder on the local cloud, measures the failover through the front proxy and restores it', async () => {
    const out = await sandbox(['drill', '--local']);
    expect(out.stderr).toContain('breaking lb-1 (stop-nginx)');
    expect(out.code, out.stderr).toBe(0);
    const report = JSON.parse(out.stdout) as DrillReport;
    expect(report).toMatchObject({ mode: 'local', passed: true });
    const [run] = report.runs;
    expect(run).toMatchObject({
      group: 'web-lb',
      from: 'lb-1',
      to: 'lb-2',
      outcome: 'moved',
      restored: true,
      notes: [],
    });
    // The demo policy: probes every 1 s, recheck 300 ms, fall 2, quorum 2 of 2 vantages. At the
    // earliest each vantage probes right after the break and rechecks 300 ms later.
    expect(run!.detectMs).toBeGreaterThan(250);
    expect(run!.detectMs).toBeLessThan(15_000);
    expect(run!.moveMs).toBeGreaterThanOrEqual(run!.detectMs!);
    expect(run!.verifiedMs).toBeGreaterThanOrEqual(run!.moveMs!);
    // Requests fail from the break until the address points at lb-2.
    expect(run!.clientOutageMs).toBeGreaterThan(0);
    expect(run!.requests.failed).toBeGreaterThan(0);
    // The data path follows the move's call after the propagation delay, while the read-back
    // waits out a lagging Describe: lb-2 may serve before the move is verified, never before it
    // was made.
    expect(run!.firstServedByNewMs).toBeGreaterThanOrEqual(run!.moveMs!);
    expect(run!.alertLatencyMs).toBeGreaterThanOrEqual(run!.verifiedMs!);
    expect(report.distribution.clientOutageMs?.n).toBe(1);
  }, 240_000);
});

describe('npm run sandbox without an account', () => {
  it('refuses up in one line when no credentials are found', async () => {
    const out = await sandbox(['up', '--region', 'eu-west-1', '--yes']);
    expect(out.code).toBe(1);
    const lines = out.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^refused: no AWS credentials found by the SDK's default chain/);
    expect(out.stdout).toBe('');
  }, 60_000);
});
