import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ProbeSample, startClientProbe } from '../../local/nodes/client-probe';
import type { LocalStack } from '../../local/stack';
import type { DrillResult } from '../../shared/ops/drill';
import type { StatusReport } from '../../shared/ops/status';
import { instanceOf, okCalls, type Running, snsEvents, stackPerTest, until } from './stack-helpers';

const SERVICE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** `npm run invoke -- drill '<json>'` in a shell with the lines `npm run local` prints. */
function npmInvoke(
  stack: LocalStack,
  fn: string,
  payload: unknown,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^AWS_/.test(key) || ['TABLE_NAME', 'TOPIC_ARN', 'CONFIG_PATH'].includes(key)) continue;
    env[key] = value;
  }
  return new Promise((done, fail) => {
    const child = spawn('npm', ['run', '--silent', 'invoke', '--', fn, JSON.stringify(payload)], {
      cwd: SERVICE_DIR,
      env: { ...env, AWS_EC2_METADATA_DISABLED: 'true', HA_ARBITER_USER: 'drill-e2e', ...stack.env },
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
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

/** The longest run of failed client requests through the front proxy (the address), in ms. */
function longestOutage(samples: readonly ProbeSample[]): number {
  let longest = 0;
  let firstFail: number | undefined;
  for (const s of samples) {
    if (!s.ok) firstFail ??= s.at;
    else if (firstFail !== undefined) {
      longest = Math.max(longest, s.at - firstFail);
      firstFail = undefined;
    }
  }
  return longest;
}

async function readiness(running: Running) {
  const report = (await running.stack.runtime.invoke('status', { group: 'web-lb' })) as StatusReport;
  return report.groups[0]?.readiness;
}

/** Workers boot slowly on a busy machine; the checks below do not depend on it. */
const UP_WITHIN_MS = 90_000;

describe('Drills on the local stack', () => {
  const start = stackPerTest();

  it('moves the address to the standby and back through npm run invoke, verifies both and prints the timings', async () => {
    const running = await start({ upWithinMs: UP_WITHIN_MS });
    expect(running.holder()).toBe('lb-1');
    // One reconcile records the placement the stack started with.
    await running.stack.runtime.invoke('arbiter', {
      source: 'ha-arbiter.schedule',
      time: new Date().toISOString(),
    });
    const proxy = running.stack.proxy;
    if (!proxy) throw new Error('the stack has no front proxy');
    const client = startClientProbe({ url: `${proxy.url}/healthz`, intervalMs: 50, timeoutMs: 1000 });
    const run = await npmInvoke(running.stack, 'drill', { group: 'web-lb' });
    const samples = await client.stop();
    // Logs go to stderr (one JSON line each); stdout is the result alone.
    expect(run.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('{'))).toEqual([]);
    expect(run.code).toBe(0);
    // The function's log lines (JSON, one per line) come first; the result is printed indented.
    const at = run.stdout.startsWith('{\n') ? 0 : run.stdout.lastIndexOf('\n{\n') + 1;
    const result = JSON.parse(run.stdout.slice(at)) as DrillResult;
    const outageMs = longestOutage(samples);
    console.log(
      `drill timings: ${JSON.stringify({
        outcome: result.outcome,
        reason: result.reason,
        totalMs: result.totalMs,
        legs: result.legs,
        clientOutageUpperBoundMs: result.clientOutage.upperBoundMs,
        measuredThroughTheAddressMs: outageMs,
        clientRequests: samples.length,
      })}`,
    );
    expect(result.outcome).toBe('passed');
    expect(result.requestedBy).toBe('drill-e2e');
    expect(result.legs.map((l) => [l.from, l.to, l.outcome, l.dataPath])).toEqual([
      ['lb-1', 'lb-2', 'moved', 'passed'],
      ['lb-2', 'lb-1', 'moved', 'passed'],
    ]);
    for (const leg of result.legs) {
      expect(leg.moveMs).toBeGreaterThan(0);
      expect(leg.dataPathMs).toBeGreaterThanOrEqual(0);
    }
    // Both moves went through EC2 and came back to where they started.
    const moves = okCalls(running, 'AssociateAddress');
    expect(moves.map((m) => m.params.NetworkInterfaceId)).toEqual([
      'eni-0de00000000000002',
      'eni-0de00000000000001',
    ]);
    expect(running.holder()).toBe('lb-1');
    // The client went on being served by both nodes through the address.
    expect(new Set(samples.filter((s) => s.ok).map((s) => s.servedBy)).size).toBe(2);
    const [summary] = snsEvents(running, 'drill');
    expect(summary?.message.subject).toMatch(/^\[ha-arbiter\] web-lb: drill passed lb-1 -> lb-2 -> lb-1 \(/);
    const history = (await running.stack.runtime.invoke('status', { group: 'web-lb' })) as StatusReport;
    expect(history.groups[0]?.history.map((h) => h.event)).toContain('drill');
  }, 180_000);

  it('is refused, says why and moves nothing when the group is not ready', async () => {
    const running = await start({ upWithinMs: UP_WITHIN_MS });
    await running.stack.nodes.node(instanceOf(running, 'lb-2')).kill();
    let status = await readiness(running);
    await until(
      () => status?.status === 'not-ready',
      20_000,
      'readiness not-ready',
      async () => {
        status = await readiness(running);
      },
    );
    const result = (await running.stack.runtime.invoke('drill', { group: 'web-lb' })) as DrillResult;
    console.log(`refused drill: ${JSON.stringify({ outcome: result.outcome, reason: result.reason })}`);
    expect(result.outcome).toBe('refused');
    expect(result.reason).toMatch(
      /^web-lb is not ready to fail over: no standby is HEALTHY by quorum: lb-2 is DOWN/,
    );
    expect(result.legs).toEqual([]);
    expect(okCalls(running, 'AssociateAddress')).toHaveLength(0);
    expect(running.holder()).toBe('lb-1');
    const [summary] = snsEvents(running, 'drill');
    expect(summary?.message.subject).toMatch(/^\[ha-arbiter\] web-lb: drill refused: web-lb is not ready/);
  }, 180_000);
});
