/**
 * `npm run preflight -- --config arbiter.yml --real-aws`: checks a config against EC2 (read-only;
 * mutating calls only as DryRun) and prints the findings. Exit code 1 on any error finding,
 * 2 on bad usage or an invalid config.
 *
 * Where it looks: `--topology <file>` starts the local cloud from that topology in this
 * process; otherwise the AWS_ENDPOINT_URL_EC2 (or AWS_ENDPOINT_URL) the environment sets,
 * e.g. the lines printed by `npm run local`; real AWS only with --real-aws.
 */
import './require-node';
import { pathToFileURL } from 'node:url';
import { EC2Client } from '@aws-sdk/client-ec2';
import { createEc2Client } from '../shared/adapters/aws/clients';
import { loadConfig } from '../shared/config/load';
import { messageOf } from '../shared/domain/errors';
import { formatReport } from '../shared/preflight/format';
import { type PreflightOptions, runPreflight } from '../shared/preflight/run';
import { defineCli, isExpected, parseCli, usageText } from './cli-args';

/** What one run printed and its exit code. */
export interface PreflightOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

const CLI = defineCli({
  command: 'npm run preflight --',
  summary: [
    'Checks a config against EC2 (read-only; mutating calls only as DryRun) and prints the findings.',
    'Exit 1 on any error finding, 2 on bad usage or an invalid config. It looks at, in this order:',
    'the local cloud of --topology (started in this process), the AWS_ENDPOINT_URL_EC2 of the',
    'environment (the lines `npm run local` prints), or real AWS with --real-aws.',
  ].join('\n'),
  flags: {
    config: { type: 'string', value: 'FILE', help: 'the config to check (required)' },
    topology: {
      type: 'string',
      value: 'FILE',
      help: 'start the local cloud from this topology and check against it',
    },
    group: { type: 'string', multiple: true, value: 'ID', help: 'only this group (repeatable)' },
    'arbiter-subnet': {
      type: 'string',
      multiple: true,
      value: 'ID',
      help: 'the arbiter runs in this subnet (repeatable; default: outside the VPC)',
    },
    'eni-limit': {
      type: 'string',
      multiple: true,
      value: 'KEY=N',
      help: 'private IPv4 addresses per ENI for an instance type or ENI id (repeatable)',
    },
    'skip-dry-run': { type: 'boolean', help: 'skip the DryRun permission checks' },
    json: { type: 'boolean', help: 'print the report as JSON' },
    verbose: { type: 'boolean', help: 'list passed checks too' },
    'real-aws': { type: 'boolean', help: 'check the real account of your AWS credentials' },
  },
  examples: [
    'npm run preflight -- --config local/examples/demo.arbiter.yml --topology local/examples/demo.topology.yml',
    'npm run preflight -- --config arbiter.yml --real-aws   # your account, your AWS credentials',
  ],
});

function usage(): string {
  return usageText(CLI);
}

/** Runs preflight for command-line arguments; separate from `main` so tests call it in-process. */
export async function runPreflightCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<PreflightOutcome> {
  const args = parseCli(CLI, argv);
  if (args.kind === 'help') return { code: 0, stdout: args.text, stderr: '' };
  if (args.kind === 'usage-error') return { code: 2, stdout: '', stderr: args.text };
  const v = args.values;
  if (!v.config) return { code: 2, stdout: '', stderr: `--config is required\n\n${usage()}` };
  const eniLimits: Record<string, number> = {};
  for (const item of v['eni-limit'] ?? []) {
    const [key, value] = item.split('=');
    const n = Number(value);
    if (!key || !Number.isInteger(n) || n < 1) {
      return {
        code: 2,
        stdout: '',
        stderr: `--eni-limit ${item}: expected <type or eni>=<n>, e.g. t3.micro=2`,
      };
    }
    eniLimits[key] = n;
  }
  const hasEndpoint = Boolean(env.AWS_ENDPOINT_URL_EC2 ?? env.AWS_ENDPOINT_URL);
  if (!v.topology && !hasEndpoint && !v['real-aws']) {
    return {
      code: 2,
      stdout: '',
      stderr: [
        'preflight needs an EC2 to look at: none of --topology, AWS_ENDPOINT_URL_EC2 or --real-aws was given.',
        '  local cloud:   npm run preflight -- --config <file> --topology <topology file>',
        '  npm run local: source the env lines it prints, then npm run preflight -- --config <file>',
        '  your account:  npm run preflight -- --config <file> --real-aws',
      ].join('\n'),
    };
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(v.config);
  } catch (error) {
    return { code: 2, stdout: '', stderr: messageOf(error) };
  }

  let close: (() => Promise<void>) | undefined;
  let ec2: EC2Client;
  if (v.topology) {
    // Imported lazily: the local cloud is a development tool, not part of the product.
    const { startLocalCloud } = await import('../local/cloud/index');
    let cloud: Awaited<ReturnType<typeof startLocalCloud>>;
    try {
      cloud = await startLocalCloud({ topology: v.topology });
    } catch (error) {
      if (isExpected(error)) return { code: 2, stdout: '', stderr: messageOf(error) };
      throw error;
    }
    close = () => cloud.close();
    ec2 = new EC2Client({ ...cloud.clientConfig('ec2'), maxAttempts: 2 });
    // The emulator's per-ENI limits are in the topology, not behind DescribeInstanceTypes.
    for (const i of cloud.topology.instances) {
      for (const eni of i.networkInterfaces) eniLimits[eni.id] ??= eni.maxPrivateIps;
    }
  } else {
    ec2 = createEc2Client();
  }
  try {
    const options: PreflightOptions = {
      ...(v.group ? { groups: v.group } : {}),
      ...(v['arbiter-subnet'] ? { arbiterSubnets: v['arbiter-subnet'] } : {}),
      ...(Object.keys(eniLimits).length > 0 ? { eniLimits } : {}),
      ...(v['skip-dry-run'] ? { skipDryRun: true } : {}),
    };
    const report = await runPreflight(config, ec2, options);
    const stdout = v.json
      ? JSON.stringify(report, null, 2)
      : formatReport(report, { verbose: v.verbose ?? false });
    return { code: report.ok ? 0 : 1, stdout, stderr: '' };
  } catch (error) {
    return { code: 1, stdout: '', stderr: `preflight could not run: ${messageOf(error)}` };
  } finally {
    ec2.destroy();
    await close?.();
  }
}

async function main(): Promise<void> {
  const outcome = await runPreflightCli(process.argv.slice(2));
  if (outcome.stdout) process.stdout.write(`${outcome.stdout}\n`);
  if (outcome.stderr) process.stderr.write(`${outcome.stderr}\n`);
  process.exitCode = outcome.code;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main();
