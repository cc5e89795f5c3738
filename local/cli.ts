import '../scripts/require-node';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import {
  defineCli,
  ExpectedError,
  parseCliOrExit,
  runMain,
  UsageError,
  usageText,
} from '../scripts/cli-args';
import { type FaultSettingsInput, startLocalCloud } from './cloud/index';
import { startLocalDynamo } from './runtime/dynamo';
import { exampleCommands, exportLines, operatorEnv, startStack } from './stack';
import { StackWatcher } from './watch';

/**
 * `npm run local -- --config <file> [--topology <file>]`: the whole local stack, long-running,
 * for a user's own config. Prints the endpoints and the environment lines that let
 * `npx serverless invoke local --stage local`, `npm run invoke`, the SDK and the AWS CLI talk to it.
 * `--cloud-only` starts the emulators alone (EC2, SNS, DynamoDB) for your own scripts.
 */
const CLI = defineCli({
  command: 'npm run local --',
  summary: [
    'Runs the whole local stack (EC2 and SNS emulators, DynamoDB, a node server per instance, the',
    'front proxy for the Elastic IP and the functions) until Ctrl-C. Without --topology the world is',
    "derived from the config's own ids. Prints the endpoints and the environment for another shell.",
  ].join('\n'),
  flags: {
    config: {
      type: 'string',
      default: 'local/examples/demo.arbiter.yml',
      value: 'FILE',
      help: 'the ha-arbiter config the functions run with',
    },
    topology: {
      type: 'string',
      value: 'FILE',
      help: 'the local world (docs/topology.md); default: derived from the config, or the demo topology with the demo config',
    },
    'cloud-only': {
      type: 'boolean',
      default: false,
      help: 'start only EC2, SNS and DynamoDB (no functions, no nodes), over --topology or the world of --config',
    },
    'ec2-port': {
      type: 'string',
      value: 'PORT',
      help: 'EC2 emulator port (default 4566; a free one if busy)',
    },
    'sns-port': {
      type: 'string',
      value: 'PORT',
      help: 'SNS emulator port (default 4567; a free one if busy)',
    },
    'dynamodb-port': {
      type: 'string',
      value: 'PORT',
      help: 'DynamoDB port (default 4568; a free one if busy)',
    },
    'proxy-port': {
      type: 'string',
      value: 'PORT',
      help: 'front proxy of the Elastic IP (default 4580; a free one if busy)',
    },
    faults: {
      type: 'string',
      value: 'JSON',
      help: 'initial fault settings, e.g. \'{"latencyMs":{"describe":300}}\' (docs/topology.md)',
    },
    iam: {
      type: 'string',
      default: 'on',
      value: 'on|off',
      help: 'off: signatures are still checked, but no function is held to its generated IAM policy',
    },
    quiet: {
      type: 'boolean',
      default: false,
      help: 'do not print verdicts, EC2 calls and alerts as they happen',
    },
    'keep-logs': { type: 'boolean', default: false, help: 'keep the temp folder with the logs after Ctrl-C' },
  },
  examples: [
    'npm run local',
    'npm run local -- --config arbiter.yml',
    'npm run local -- --config my.yml --topology my.topology.yml --quiet',
    'npm run local -- --cloud-only --topology local/examples/demo.topology.yml',
  ],
  notes: ['More: docs/local.md'],
});

const DEMO_CONFIG = 'local/examples/demo.arbiter.yml';
const DEMO_TOPOLOGY = 'local/examples/demo.topology.yml';
const DEFAULT_PORTS = {
  'ec2-port': 4566,
  'sns-port': 4567,
  'dynamodb-port': 4568,
  'proxy-port': 4580,
} as const;
type PortFlag = keyof typeof DEFAULT_PORTS;

type Values = ReturnType<typeof parseCliOrExit<typeof CLI.flags>>['values'];

/** True when something already listens on 127.0.0.1:port. */
function portBusy(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(true));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(false)));
  });
}

/**
 * The port of each service: the flag's, refused with its name when busy; or the default, or a
 * free port (0) and a line saying so when the default is busy (a second stack is running).
 */
async function choosePorts(values: Values, notes: string[]): Promise<Record<PortFlag, number>> {
  const out = {} as Record<PortFlag, number>;
  for (const flag of Object.keys(DEFAULT_PORTS) as PortFlag[]) {
    const given = values[flag];
    if (given !== undefined) {
      const port = Number(given);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(
          `--${flag} must be a port number (0 for a free one), got ${JSON.stringify(given)}`,
        );
      if (port !== 0 && (await portBusy(port)))
        throw new ExpectedError(
          `127.0.0.1:${port} (--${flag}) is already in use; choose another port, or --${flag} 0 for a free one`,
        );
      out[flag] = port;
    } else if (await portBusy(DEFAULT_PORTS[flag])) {
      out[flag] = 0;
      notes.push(
        `127.0.0.1:${DEFAULT_PORTS[flag]} is in use (another stack?): a free port instead (--${flag} to choose)`,
      );
    } else {
      out[flag] = DEFAULT_PORTS[flag];
    }
  }
  return out;
}

function parseFaults(text: string | undefined): FaultSettingsInput | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as FaultSettingsInput;
  } catch (error) {
    throw new UsageError(`--faults is not JSON: ${(error as Error).message}`);
  }
}

async function main(): Promise<number | undefined> {
  const { values } = parseCliOrExit(CLI);
  if (values.iam !== 'on' && values.iam !== 'off')
    throw new UsageError(`--iam must be on or off, not ${JSON.stringify(values.iam)}`);
  const notes: string[] = [];
  const ports = await choosePorts(values, notes);
  const faults = parseFaults(values.faults);
  // The demo config runs on the demo topology; any other config without --topology gets a
  // world derived from its own ids.
  const topologyPath = values.topology ?? (values.config === DEMO_CONFIG ? DEMO_TOPOLOGY : undefined);
  if (values['cloud-only']) return cloudOnly(values, topologyPath, ports, notes, faults);

  const stack = await startStack({
    iam: values.iam === 'on',
    configPath: values.config,
    ...(topologyPath ? { topologyPath } : {}),
    ports: {
      ec2: ports['ec2-port'],
      sns: ports['sns-port'],
      dynamodb: ports['dynamodb-port'],
      proxy: ports['proxy-port'],
    },
    keepWorkDir: values['keep-logs'],
    ...(faults ? { faults } : {}),
  });
  await stack.runtime.start();
  const envFile = `${stack.workDir}/local.env`;
  const lines = exportLines(stack.env);
  writeFileSync(envFile, `${lines.join('\n')}\n`);
  for (const n of [...notes, ...stack.notes]) console.log(`note: ${n}`);
  if (stack.topologySource === 'derived') {
    console.log(
      `note: no --topology: derived a local world from ${values.config} (its VPC, subnets, instances, ENIs, Elastic IPs and route tables; a node server per node answering its check)`,
    );
  }
  console.log('ha-arbiter local stack is running (Ctrl-C to stop)');
  console.log(
    `  EC2      ${stack.cloud.ec2Endpoint}   (fault injection: POST ${stack.cloud.ec2Endpoint}/_local/faults)`,
  );
  console.log(
    `  SNS      ${stack.cloud.snsEndpoint}   (published: GET ${stack.cloud.snsEndpoint}/_local/published)`,
  );
  console.log(`  DynamoDB ${stack.dynamo.endpoint}   table ${stack.dynamo.tableName}`);
  console.log(
    `  IAM      ${values.iam === 'on' ? "each function's generated policy is enforced (--iam off to stop)" : 'not enforced (signatures still checked)'}`,
  );
  if (stack.proxy) console.log(`  address  ${stack.proxy.url}   (front proxy for the Elastic IP)`);
  for (const n of stack.nodes.all()) console.log(`  node     ${n.name} (${n.instanceId}) at ${n.url}`);
  for (const i of stack.cloud.topology.instances.filter((x) => x.external))
    console.log(`  node     ${i.name} (${i.id}) at http://${i.endpoint}   (external: yours)`);
  console.log(`  page     ${stack.page.url}   (holders, verdicts, readiness, timeline)`);
  console.log(
    `  logs     ${stack.workDir}/logs${values['keep-logs'] ? '' : '   (removed on Ctrl-C; --keep-logs keeps them)'}`,
  );
  console.log('');
  console.log(`Environment (in another shell: source ${envFile}):`);
  for (const l of lines) console.log(`  ${l}`);
  console.log('');
  console.log('Then, in that shell and in this directory (`--stage local` takes TABLE_NAME, TOPIC_ARN and');
  console.log('CONFIG_PATH from it; payloads: docs/runbook.md):');
  for (const c of exampleCommands(stack)) console.log(`  ${c}`);
  console.log('');
  if (!values.quiet) {
    const watcher = new StackWatcher(stack);
    watcher.on((e) => {
      const at = new Date(e.at).toISOString().slice(11, 23);
      if (e.kind === 'verdict')
        console.log(`${at} verdict ${e.vantage} ${e.node} ${e.status}${e.error ? ` (${e.error})` : ''}`);
      else if (e.kind === 'ec2')
        console.log(`${at} ec2 ${e.entry.action} by ${e.entry.caller}: ${e.entry.outcome}`);
      else if (e.kind === 'sns') console.log(`${at} sns ${e.message.subject}`);
      else if (e.kind === 'lease')
        console.log(`${at} lease ${e.group} ${e.owner ?? 'released'} epoch ${e.epoch}`);
    });
  }
  stopOnSignal(() => stack.stop());
  return undefined;
}

/**
 * `--cloud-only`: the EC2 and SNS emulators over the topology (or a world derived from the
 * config), and DynamoDB with the ha-arbiter table; nothing probes, nothing acts.
 */
async function cloudOnly(
  values: Values,
  topologyPath: string | undefined,
  ports: Record<PortFlag, number>,
  notes: string[],
  faults: FaultSettingsInput | undefined,
): Promise<undefined> {
  let topology: Parameters<typeof startLocalCloud>[0]['topology'];
  if (topologyPath) topology = topologyPath;
  else {
    const [{ loadConfig }, { topologyFromConfig }] = await Promise.all([
      import('../shared/config/load'),
      import('./cloud/topology-from-config'),
    ]);
    topology = topologyFromConfig(loadConfig(values.config));
    notes.push(`no --topology: derived a local world from ${values.config}`);
  }
  const cloud = await startLocalCloud({
    topology,
    iam: values.iam === 'on',
    ec2Port: ports['ec2-port'],
    snsPort: ports['sns-port'],
    ...(faults ? { faults } : {}),
  });
  const dynamo = await startLocalDynamo({ auth: cloud.auth, port: ports['dynamodb-port'] }).catch(
    async (error: unknown) => {
      await cloud.close();
      throw error;
    },
  );
  // Calls are signed and checked: the operator key is allowed everything (an administrator's).
  const env = operatorEnv(cloud, dynamo.endpoint);
  for (const n of notes) console.log(`note: ${n}`);
  console.log('ha-arbiter local cloud is running: emulators only, no functions, no nodes (Ctrl-C to stop)');
  console.log(`  EC2      ${cloud.ec2Endpoint}`);
  console.log(
    `  SNS      ${cloud.snsEndpoint}   topics: ${cloud.topology.sns.topics.join(', ') || '(none)'}`,
  );
  console.log(`  DynamoDB ${dynamo.endpoint}   table ${dynamo.tableName}`);
  console.log(`  region   ${cloud.region}`);
  console.log(
    `  credentials  access key ${env.AWS_ACCESS_KEY_ID}, secret ${env.AWS_SECRET_ACCESS_KEY} (the operator: allowed everything; calls must be signed with it)`,
  );
  console.log('');
  console.log('Environment for the SDK (in another shell):');
  for (const l of exportLines(env)) console.log(`  ${l}`);
  console.log('');
  console.log('The AWS CLI (any v2; --endpoint-url works where AWS_ENDPOINT_URL_* is not read):');
  console.log(`  aws --endpoint-url ${cloud.ec2Endpoint} ec2 describe-addresses`);
  console.log(`  aws --endpoint-url ${cloud.ec2Endpoint} ec2 describe-instances --output table`);
  console.log(`  aws --endpoint-url ${cloud.snsEndpoint} sns list-topics`);
  console.log(`  aws --endpoint-url ${dynamo.endpoint} dynamodb scan --table-name ${dynamo.tableName}`);
  stopOnSignal(async () => {
    await dynamo.close();
    await cloud.close();
  });
  return undefined;
}

function stopOnSignal(stop: () => Promise<void>): void {
  const once = async () => {
    await stop();
    process.exit(0);
  };
  process.once('SIGINT', once);
  process.once('SIGTERM', once);
}

runMain('npm run local', main, usageText(CLI));
