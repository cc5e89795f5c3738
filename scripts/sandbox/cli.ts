/**
 * `npm run sandbox -- <up|drill|down|cost|template>`: see a real failover on an AWS account in
 * ten minutes, measure it, and throw everything away (docs/sandbox.md).
 */
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { EC2Client } from '@aws-sdk/client-ec2';
import { fixtureTemplate } from '../../infra/sandbox/fixture';
import { AwsCli, awsPorts, type Exec, findCredentials, realExec } from './aws';
import { costText } from './cost';
import { type DrillPorts, runDrills } from './drill-run';
import { deployedSandbox, down, type Lifecycle, leftoversText, savedRegion, up } from './lifecycle';
import { localPorts, startLocalSandbox } from './local';
import { BreakKind, drillReport } from './measure';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const COMMANDS = ['up', 'drill', 'down', 'cost', 'template'] as const;
type Command = (typeof COMMANDS)[number];

const FLAGS = {
  region: { type: 'string' },
  yes: { type: 'boolean' },
  'operator-cidr': { type: 'string' },
  hang: { type: 'boolean' },
  'stop-instance': { type: 'boolean' },
  count: { type: 'string' },
  'interval-ms': { type: 'string' },
  timeout: { type: 'string' },
  local: { type: 'boolean' },
  'keep-logs': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which flags each command takes (besides --help). */
const ALLOWED: Record<Command, ReadonlyArray<keyof typeof FLAGS>> = {
  up: ['region', 'yes', 'operator-cidr'],
  drill: ['region', 'hang', 'stop-instance', 'count', 'interval-ms', 'timeout', 'local'],
  down: ['region', 'keep-logs'],
  cost: [],
  template: [],
};

export function usage(): string {
  return [
    'usage: npm run sandbox -- <command> [flags]',
    '',
    'See ha-arbiter fail over for real on an AWS account: two nginx nodes behind one Elastic IP,',
    'the arbiter watching them, the holder broken on purpose and the failover measured from here.',
    '',
    'commands:',
    '  up        create the fixture stack (VPC, 2 x t4g.nano nginx, Elastic IP) and deploy the',
    '            arbiter (serverless deploy --stage sandbox); prints the hourly cost first',
    '  drill     break the holder (stop nginx through SSM), measure the client outage through',
    '            the Elastic IP (a request every 200 ms), wait for the move and the alert,',
    '            restore the node; prints one JSON summary',
    '  down      delete both stacks, then check nothing is left (Elastic IP, ENIs, log groups)',
    '  cost      print what the sandbox costs per hour; creates nothing',
    '  template  print the fixture CloudFormation template (JSON)',
    '',
    'flags:',
    '  --region R            up: the region to create it in; drill, down: default the last up',
    '  --yes                 up: create without asking (required when stdin is not a terminal)',
    '  --operator-cidr CIDR  up: who may reach the nodes on port 80 besides the probers',
    '                        (default: this machine, from https://checkip.amazonaws.com, /32)',
    '  --hang                drill: SIGSTOP nginx (accepts, never answers) instead of stopping it',
    '  --stop-instance       drill: stop the holder instance through EC2',
    '  --count N             drill: N drills in a row (each after the cooldown) and their distribution',
    '  --interval-ms MS      drill: time between client requests (default 200)',
    '  --timeout S           drill: how long to wait for the move and the alert (default 180)',
    '  --local               drill: on the local cloud, no account (the demo topology stands in)',
    '  --keep-logs           down: keep the log groups left after the stacks',
    '  -h, --help            this text',
    '',
    'examples:',
    '  npm run sandbox -- up --region eu-west-1',
    '  npm run sandbox -- drill --count 5',
    '  npm run sandbox -- drill --hang',
    '  npm run sandbox -- drill --local',
    '  npm run sandbox -- down',
    '',
    'Needs AWS credentials (the SDK default chain) and the AWS CLI v2. Read docs/sandbox.md first.',
  ].join('\n');
}

/** Where the CLI writes and how it asks. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  isTty: boolean;
  ask(question: string): Promise<string>;
  env: NodeJS.ProcessEnv;
  exec: Exec;
}

class UsageError extends Error {}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a positive integer, not ${value}`);
  return n;
}

/** Runs the CLI; returns the exit code (0 done, 1 failed, 2 bad usage). */
export async function runSandbox(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof FLAGS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${usage()}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(usage());
    return 0;
  }
  const command = positionals[0] as Command | undefined;
  try {
    if (!command) throw new UsageError('a command is required');
    if (!COMMANDS.includes(command)) throw new UsageError(`unknown command: ${command}`);
    if (positionals.length > 1) throw new UsageError(`unexpected argument: ${positionals[1]}`);
    for (const [flag, value] of Object.entries(values)) {
      if (value === undefined || flag === 'help') continue;
      if (!ALLOWED[command].includes(flag as keyof typeof FLAGS))
        throw new UsageError(`--${flag} does not apply to ${command}`);
    }
    if (values.hang && values['stop-instance'])
      throw new UsageError('--hang and --stop-instance exclude each other');
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${error.message}\n\n${usage()}`);
    return 2;
  }

  try {
    switch (command) {
      case 'cost':
        io.out(costText());
        return 0;
      case 'template':
        io.out(JSON.stringify(fixtureTemplate(), null, 2));
        return 0;
      case 'drill':
        if (values.local) return await drill(values, io, undefined);
        return await drill(values, io, await account(values.region, io, false));
      case 'up':
        return await runUp(values, io);
      case 'down': {
        const l = await account(values.region, io, false);
        const left = await down(l, values['keep-logs'] ?? false);
        io.out(leftoversText(left, values['keep-logs'] ?? false, l.cli.region));
        return Object.values(left).some((x) => x.length > 0) ? 1 : 0;
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n\n${usage()}`);
      return 2;
    }
    io.err(
      `${(error as Error).name === 'Error' ? 'sandbox' : (error as Error).name}: ${(error as Error).message}`,
    );
    return 1;
  }
}

class RefusedError extends Error {
  override name = 'refused';
}

/** The account side: a region, credentials, the AWS CLI. Refuses in one line without them. */
async function account(regionFlag: string | undefined, io: CliIo, creating: boolean): Promise<Lifecycle> {
  const region = regionFlag ?? savedRegion(ROOT) ?? io.env.AWS_REGION;
  if (!region)
    throw new UsageError(creating ? '--region is required' : '--region is required (no earlier up found)');
  const found = await findCredentials(region);
  if (!found.ok) {
    throw new RefusedError(
      `no AWS credentials found by the SDK's default chain (${found.reason}); set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, see docs/sandbox.md`,
    );
  }
  const version = await io.exec('aws', ['--version']);
  if (version.code !== 0 || !/aws-cli\/2\./.test(version.stdout + version.stderr)) {
    throw new RefusedError(
      'the AWS CLI v2 is required (`aws --version` must say aws-cli/2.x), see docs/sandbox.md',
    );
  }
  return {
    root: ROOT,
    cli: new AwsCli(io.exec, region),
    exec: io.exec,
    ec2: new EC2Client({ region }),
    say: (line) => io.err(line),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}

async function runUp(
  values: { region?: string; yes?: boolean; 'operator-cidr'?: string },
  io: CliIo,
): Promise<number> {
  if (!values.region) throw new UsageError('--region is required');
  const l = await account(values.region, io, true);
  io.out(costText());
  if (!values.yes) {
    if (!io.isTty) throw new RefusedError('stdin is not a terminal: pass --yes to create the sandbox');
    const answer = await io.ask(`Create the sandbox in ${values.region}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      io.err('nothing created');
      return 1;
    }
  }
  const cidr = values['operator-cidr'] ?? (await operatorCidr());
  if (!/^(\d{1,3}\.){3}\d{1,3}\/(3[0-2]|[12]?\d)$/.test(cidr))
    throw new UsageError(`--operator-cidr must be an IPv4 CIDR such as 198.51.100.7/32, not ${cidr}`);
  await up(l, cidr);
  return 0;
}

/** This machine's public IPv4 address as seen by AWS, as a /32. */
async function operatorCidr(): Promise<string> {
  const answer = await fetch('https://checkip.amazonaws.com', { signal: AbortSignal.timeout(5000) });
  const ip = (await answer.text()).trim();
  if (!/^(\d{1,3}\.){3}\d{1,3}$/.test(ip))
    throw new Error(`checkip.amazonaws.com answered ${ip}: pass --operator-cidr`);
  return `${ip}/32`;
}

async function drill(
  values: {
    hang?: boolean;
    'stop-instance'?: boolean;
    count?: string;
    'interval-ms'?: string;
    timeout?: string;
  },
  io: CliIo,
  l: Lifecycle | undefined,
): Promise<number> {
  const kind = values.hang
    ? BreakKind.HANG
    : values['stop-instance']
      ? BreakKind.STOP_INSTANCE
      : BreakKind.STOP_NGINX;
  const options = {
    kind,
    count: positiveInt('count', values.count, 1),
    intervalMs: positiveInt('interval-ms', values['interval-ms'], 200),
    moveTimeoutMs: positiveInt('timeout', values.timeout, 180) * 1000,
    recoverTimeoutMs: (l ? 300 : 60) * 1000,
    warmupMs: 2000,
  };
  const say = (line: string) => io.err(line);
  let ports: DrillPorts;
  let close: () => Promise<void>;
  let region: string;
  if (l) {
    ports = awsPorts(l.cli, await deployedSandbox(l), say);
    close = async () => undefined;
    region = l.cli.region;
  } else {
    const stack = await startLocalSandbox(say);
    const local = localPorts(stack, say);
    ports = local;
    region = stack.cloud.region;
    close = async () => {
      local.close();
      await stack.stop();
    };
  }
  try {
    const runs = await runDrills(ports, options);
    const report = drillReport(l ? 'aws' : 'local', region, runs);
    io.out(JSON.stringify(report, null, 2));
    return report.passed ? 0 : 1;
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  const rl = process.stdin.isTTY
    ? createInterface({ input: process.stdin, output: process.stderr })
    : undefined;
  const code = await runSandbox(process.argv.slice(2), {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    isTty: Boolean(process.stdin.isTTY),
    ask: async (q) => (rl ? rl.question(q) : ''),
    env: process.env,
    exec: realExec,
  });
  rl?.close();
  // Exit once stdout is flushed: SDK keep-alive sockets would otherwise hold the process open.
  process.stdout.write('', () => process.exit(code));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  void main();
}
