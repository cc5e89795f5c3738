/**
 * `npm run invoke -- <fn> '<json>'`: calls a function's use-case handler in this process,
 * against whatever the environment points at (the local cloud's AWS_ENDPOINT_URL_* lines
 * printed by `npm run local`), and prints the result: text as is (status with
 * `"format":"text"`), anything else as indented JSON. Exit code 1 on an error, 2 on bad usage.
 * The shortcut for `npx serverless invoke local --stage local -f <fn> --data '<json>'`, which
 * runs the same handlers through osls after bundling them.
 */
import './require-node';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defineCli, parseCli, usageText } from './cli-args';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENDPOINT_VARS = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_EC2'];

/** `notify-slack` -> `notifySlack`: the use-case export of a function file. */
export function exportName(fn: string): string {
  return fn.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

const CLI = defineCli({
  command: 'npm run invoke --',
  positionals: "<function> ['<json payload>']",
  maxPositionals: 2,
  summary: [
    'Calls one function (functions/<function>.ts) in this process and prints its result on stdout:',
    'text as is, anything else as indented JSON; logs go to stderr. Exit 1 on an error, 2 on bad usage.',
  ].join('\n'),
  flags: {
    'real-aws': {
      type: 'boolean',
      default: false,
      help: 'allow calling real AWS when no AWS_ENDPOINT_URL_* is set',
    },
  },
  examples: [
    `npm run invoke -- status '{"format":"text"}'`,
    `npm run -s invoke -- status '{"group":"web-lb"}' | jq .groups[0].holders`,
    `npm run invoke -- failover '{"group":"web-lb","to":"lb-2","reason":"patching lb-1"}'`,
    `npm run invoke -- control '{"group":"web-lb","action":"ban","node":"lb-1","expiresInMinutes":60}'`,
    `npm run invoke -- drill '{"group":"web-lb"}'`,
  ],
  notes: [
    'Set the env lines printed by `npm run local` first. Without AWS_ENDPOINT_URL_* the call',
    'would go to real AWS; that needs --real-aws. The same through osls (bundles first):',
    `  npx serverless invoke local --stage local -f status --data '{"format":"text"}'`,
  ],
});

function usage(): string {
  return usageText(CLI);
}

/** Who runs the command, for `requestedBy` (passed as client context, like `serverless invoke --context`). */
function localCaller(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `local@${hostname()}`;
  }
}

export interface InvokeOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one invocation; separated from `main` so tests can call it in-process. */
export async function runInvoke(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<InvokeOutcome> {
  const parsed = parseCli(CLI, argv);
  if (parsed.kind === 'help') return { code: 0, stdout: `${parsed.text}\n`, stderr: '' };
  if (parsed.kind === 'usage-error') return { code: 2, stdout: '', stderr: parsed.text };
  const realAws = parsed.values['real-aws'];
  const [fn, data] = parsed.positionals;
  if (!fn) return { code: 2, stdout: '', stderr: usage() };
  if (!/^[a-z][a-z0-9-]*$/.test(fn))
    return { code: 2, stdout: '', stderr: `not a function name: ${fn}\n\n${usage()}` };
  if (!realAws && !ENDPOINT_VARS.some((v) => env[v])) {
    return {
      code: 2,
      stdout: '',
      stderr: `none of ${ENDPOINT_VARS.join(', ')} is set: this would talk to real AWS.\nSet the env lines printed by \`npm run local\`, or pass --real-aws.`,
    };
  }
  const file = join(ROOT, 'functions', `${fn}.ts`);
  if (!existsSync(file))
    return { code: 2, stdout: '', stderr: `no such function: functions/${fn}.ts\n\n${usage()}` };

  try {
    const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const useCase = mod[exportName(fn)];
    if (typeof useCase !== 'function') {
      return {
        code: 2,
        stdout: '',
        stderr: `functions/${fn}.ts exports no ${exportName(fn)}() use-case handler`,
      };
    }
    // A non-JSON argument is passed on as a string, as `serverless invoke --data` does, so the
    // function's own validation answers it.
    let payload: unknown = {};
    if (data !== undefined) {
      try {
        payload = JSON.parse(data);
      } catch {
        payload = data;
      }
    }
    const deadline = Date.now() + 15 * 60_000;
    const context = {
      awsRequestId: `local-${randomUUID()}`,
      functionName: fn,
      clientContext: { custom: { requestedBy: env.HA_ARBITER_USER ?? localCaller() } },
      getRemainingTimeInMillis: () => deadline - Date.now(),
    };
    const result = await (useCase as (event: unknown, context: unknown) => Promise<unknown>)(
      payload,
      context,
    );
    const stdout = typeof result === 'string' ? result : `${JSON.stringify(result, null, 2)}\n`;
    return { code: 0, stdout, stderr: '' };
  } catch (error) {
    const e = error as Error;
    return { code: 1, stdout: '', stderr: `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}` };
  }
}

async function main(): Promise<void> {
  const outcome = await runInvoke(process.argv.slice(2));
  if (outcome.stderr) process.stderr.write(`${outcome.stderr}\n`);
  // Exit once stdout is flushed: SDK keep-alive sockets would otherwise hold the process open.
  process.stdout.write(outcome.stdout, () => process.exit(outcome.code));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void main();
}
