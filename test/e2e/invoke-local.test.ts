import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  exampleCommands,
  exportLines,
  INVOKE_LOCAL_STAGE,
  invokeLocalArgs,
  type LocalStack,
} from '../../local/stack';
import type { ManualFailoverResult } from '../../shared/ops/manual-failover';
import type { StatusReport } from '../../shared/ops/status';
import { associateCalls, stackPerTest } from './stack-helpers';

const SERVICE_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** osls + esbuild bundling one handler: a few seconds idle, much more on a loaded machine. */
const INVOKE_TIMEOUT_MS = 120_000;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The shell `npm run local` sets up: the user's environment without any AWS setting of its own,
 * plus the printed export lines. Nothing in it points anywhere but 127.0.0.1.
 */
function printedShell(stack: LocalStack): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^AWS_/.test(key) || ['TABLE_NAME', 'TOPIC_ARN', 'CONFIG_PATH'].includes(key)) continue;
    env[key] = value;
  }
  // Credentials come from the export lines; never look for instance credentials.
  return { ...env, AWS_EC2_METADATA_DISABLED: 'true', ...stack.env };
}

/** `npx serverless invoke local --stage local -f <fn> --data '<json>'`, exactly as printed. */
function invokeLocal(stack: LocalStack, fn: string, payload: unknown): Promise<Run> {
  const args = invokeLocalArgs(fn, payload, stack.cloud.region);
  return new Promise((done, fail) => {
    // Its own process group: a hung osls (and its esbuild service) can be killed as a whole.
    const child = spawn('npx', args, {
      cwd: SERVICE_DIR,
      env: printedShell(stack),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    }, INVOKE_TIMEOUT_MS - 5_000);
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/**
 * The function's result as osls prints it: stdout is exactly one JSON document (the handler's
 * log lines go to stderr outside Lambda), so `| jq` works on it.
 */
function resultOf<T>(run: Run): T {
  expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(() => JSON.parse(run.stdout), run.stdout).not.toThrow();
  return JSON.parse(run.stdout) as T;
}

describe('npx serverless invoke local against the local stack', () => {
  const start = stackPerTest();

  it(
    'runs status and a dry-run failover with the environment `npm run local` prints',
    async () => {
      const running = await start();
      const { stack } = running;
      const group = stack.config.groups[0]!;

      // What the user is told to run is what this test runs.
      const printed = exampleCommands(stack);
      expect(printed[0]).toContain(`npx serverless invoke local --stage ${INVOKE_LOCAL_STAGE} -f status`);
      expect(printed[1]).toBe(
        `npx serverless invoke local --stage local -f failover --data '{"group":"web-lb","to":"lb-2","dryRun":true}'`,
      );
      expect(exportLines(stack.env)).toContain(`export TABLE_NAME=${stack.dynamo.tableName}`);
      expect(exportLines(stack.env)).toContain(`export CONFIG_PATH=${stack.configPath}`);

      // The table, the topic and the config come from the shell, not from a CloudFormation stack:
      // the nodes are the local config's, healthy from the verdicts the local probers wrote.
      const status = await invokeLocal(stack, 'status', { group: group.id });
      expect(status.stderr).not.toMatch(/CloudFormation|Could not resolve/);
      const report = resultOf<StatusReport>(status);
      expect(report.groups).toHaveLength(1);
      const [web] = report.groups;
      expect(web).toMatchObject({ group: group.id, active: { observed: 'lb-1' }, errors: [] });
      expect(web?.nodes.map((n) => [n.id, n.instanceId, n.health])).toEqual(
        group.nodes.map((n) => [n.id, n.instanceId, 'HEALTHY']),
      );

      const plan = resultOf<ManualFailoverResult>(
        await invokeLocal(stack, 'failover', { group: group.id, to: 'lb-2', dryRun: true }),
      );
      expect(plan).toMatchObject({ group: group.id, outcome: 'dry-run', from: 'lb-1', to: 'lb-2' });
      expect(plan.plan).toEqual([expect.objectContaining({ from: 'lb-1', to: 'lb-2', moves: true })]);
      expect(associateCalls(running)).toBe(0);
      expect(running.holder()).toBe('lb-1');
    },
    2 * INVOKE_TIMEOUT_MS + 30_000,
  );
});
