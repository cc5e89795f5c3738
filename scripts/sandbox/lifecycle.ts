import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import {
  ARBITER_STACK,
  FIXTURE_NODES,
  FIXTURE_STACK,
  fixtureTemplate,
  Outputs,
  SANDBOX_STAGE,
  SANDBOX_TAG,
} from '../../infra/sandbox/fixture';
import { DynamoStore } from '../../shared/adapters/dynamo/dynamo-store';
import { parseConfig } from '../../shared/config/load';
import {
  type AwsCli,
  allocationExists,
  type DeployedSandbox,
  detachAddress,
  type Exec,
  lambdaEnis,
  primaryEnis,
} from './aws';
import { SANDBOX_CONFIG, sandboxConfig } from './config';

/** Where the kit keeps what it generated (gitignored): the fixture template and the last region. */
export const WORK_DIR = '.sandbox';

export interface Lifecycle {
  root: string;
  cli: AwsCli;
  exec: Exec;
  ec2: EC2Client;
  say(line: string): void;
  sleep(ms: number): Promise<void>;
}

/** The kit's state between commands. */
interface SavedState {
  region: string;
}

export function savedRegion(root: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(root, WORK_DIR, 'state.json'), 'utf8')) as SavedState).region;
  } catch {
    return undefined;
  }
}

function saveState(root: string, state: SavedState) {
  mkdirSync(join(root, WORK_DIR), { recursive: true });
  writeFileSync(join(root, WORK_DIR, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
}

/** The `serverless` arguments of the sandbox stage (the config is a param, see serverless.yml). */
export function serverlessArgs(command: 'deploy' | 'remove', region: string): string[] {
  return [
    'serverless',
    command,
    '--stage',
    SANDBOX_STAGE,
    '--region',
    region,
    `--param=config=${SANDBOX_CONFIG}`,
  ];
}

/**
 * `up`: the fixture stack (AWS CLI `cloudformation deploy`), the arbiter config from its
 * outputs (validated by the runtime's schema), the arbiter stack (`serverless deploy`), the
 * alert queue subscribed to the arbiter's topic, then waits until the arbiter has placed the
 * Elastic IP and every vantage sees both nodes UP.
 */
export async function up(
  l: Lifecycle,
  operatorCidr: string,
  steady: (l: Lifecycle, sandbox: DeployedSandbox, timeoutMs: number) => Promise<void> = waitSteady,
): Promise<void> {
  const { cli, root, say } = l;
  mkdirSync(join(root, WORK_DIR), { recursive: true });
  saveState(root, { region: cli.region });
  const templatePath = join(root, WORK_DIR, 'fixture.json');
  writeFileSync(templatePath, `${JSON.stringify(fixtureTemplate(), null, 2)}\n`);
  say(`1/4 fixture stack ${FIXTURE_STACK} (VPC, two nginx nodes, Elastic IP): a few minutes`);
  await cli.run(
    [
      'cloudformation',
      'deploy',
      '--stack-name',
      FIXTURE_STACK,
      '--template-file',
      templatePath,
      '--capabilities',
      'CAPABILITY_IAM',
      '--parameter-overrides',
      `OperatorCidr=${operatorCidr}`,
      '--tags',
      `${SANDBOX_TAG.Key}=${SANDBOX_TAG.Value}`,
      '--no-fail-on-empty-changeset',
    ],
    true,
  );
  const outputs = await cli.stackOutputs(FIXTURE_STACK);
  if (!outputs) throw new Error(`${FIXTURE_STACK} is not there after its deploy`);

  say(`2/4 ${SANDBOX_CONFIG} from the fixture's outputs`);
  const instances = [outputs[Outputs.node1] ?? '', outputs[Outputs.node2] ?? ''];
  const byInstance = await primaryEnis(l.ec2, instances);
  const enis: Record<string, string> = {};
  FIXTURE_NODES.forEach((n, i) => {
    const eni = byInstance[instances[i] ?? ''];
    if (eni) enis[n.id] = eni;
  });
  const { text } = sandboxConfig(outputs, enis);
  writeFileSync(join(root, SANDBOX_CONFIG), text);

  say(`3/4 arbiter stack ${ARBITER_STACK} (serverless deploy --stage ${SANDBOX_STAGE}): a few minutes`);
  const deployed = await l.exec('npx', serverlessArgs('deploy', cli.region), { stream: true });
  if (deployed.code !== 0)
    throw new Error(`serverless deploy failed (exit ${deployed.code}); see its output above`);
  const arbiter = await cli.stackOutputs(ARBITER_STACK);
  const topicArn = arbiter?.AlertTopicArn;
  if (!topicArn) throw new Error(`${ARBITER_STACK} has no AlertTopicArn output`);
  await cli.json([
    'sns',
    'subscribe',
    '--topic-arn',
    topicArn,
    '--protocol',
    'sqs',
    '--notification-endpoint',
    outputs[Outputs.queueArn] ?? '',
  ]);

  say('4/4 waiting for nginx on both nodes and the first placement of the Elastic IP (up to 10 min)');
  const sandbox = await deployedSandbox(l);
  await steady(l, sandbox, 10 * 60_000);
  say(`ready: http://${sandbox.publicIp}/ is served by the arbiter's holder. Next: npm run sandbox -- drill`);
}

/** The deployed sandbox as the drill sees it, from both stacks' outputs and the config file. */
export async function deployedSandbox(l: Pick<Lifecycle, 'cli' | 'root'>): Promise<DeployedSandbox> {
  const [fixture, arbiter] = await Promise.all([
    l.cli.stackOutputs(FIXTURE_STACK),
    l.cli.stackOutputs(ARBITER_STACK),
  ]);
  if (!fixture || !arbiter)
    throw new Error(
      `no sandbox in ${l.cli.region} (stack ${fixture ? ARBITER_STACK : FIXTURE_STACK} missing): run up first`,
    );
  let text: string;
  try {
    text = readFileSync(join(l.root, SANDBOX_CONFIG), 'utf8');
  } catch {
    throw new Error(`${SANDBOX_CONFIG} is missing: run up again (it rewrites it)`);
  }
  const tableName = arbiter.TableName;
  if (!tableName) throw new Error(`${ARBITER_STACK} has no TableName output`);
  return {
    config: parseConfig(text, SANDBOX_CONFIG),
    tableName,
    queueUrl: fixture[Outputs.queueUrl] ?? '',
    publicIp: fixture[Outputs.publicIp] ?? '',
  };
}

/** Until the arbiter has recorded a holder and every vantage sees every node UP. */
async function waitSteady(l: Lifecycle, sandbox: DeployedSandbox, timeoutMs: number) {
  const group = sandbox.config.groups[0]!;
  const store = new DynamoStore({
    tableName: sandbox.tableName,
    client: new DynamoDBClient({ region: l.cli.region }),
    groups: [group],
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snapshot = await store.readGroup(group.id);
    const up = snapshot.verdicts.filter((v) => v.status === 'UP').length;
    if (snapshot.state.active && up >= group.nodes.length * group.vantages.length) return;
    if (Date.now() > deadline)
      throw new Error(
        `not steady after ${timeoutMs / 60_000} min: holder ${snapshot.state.active ?? 'none'}, ${up} UP verdicts; see npm run invoke -- status --real-aws`,
      );
    await l.sleep(10_000);
  }
}

/** What `down` found left behind, empty when nothing. */
export interface Leftovers {
  stacks: string[];
  elasticIps: string[];
  enis: string[];
  logGroups: string[];
}

/**
 * `down`: removes the arbiter stack (serverless remove empties its deployment bucket), waits
 * for the Lambda network interfaces in the fixture's VPC to go (they would block deleting its
 * subnets), takes the Elastic IP off whichever node holds it, deletes the fixture stack, then checks: both stacks gone, the Elastic IP released,
 * no Lambda ENI, no log group of the sandbox's functions (deleted unless `keepLogs`).
 */
export async function down(l: Lifecycle, keepLogs: boolean, eniTimeoutMs = 30 * 60_000): Promise<Leftovers> {
  const { cli, root, say } = l;
  const fixture = await cli.stackOutputs(FIXTURE_STACK);
  const vpcId = fixture?.[Outputs.vpc];
  const allocationId = fixture?.[Outputs.allocation];

  if (await cli.stackOutputs(ARBITER_STACK)) {
    say(`removing ${ARBITER_STACK}`);
    const removed = await l.exec('npx', serverlessArgs('remove', cli.region), { stream: true });
    if (removed.code !== 0) {
      // Without a readable config serverless cannot resolve the stack: empty the bucket by hand.
      say('serverless remove failed; deleting the stack through CloudFormation');
      const bucket = await cli.physicalId(ARBITER_STACK, 'ServerlessDeploymentBucket');
      if (bucket) await cli.run(['s3', 'rm', `s3://${bucket}`, '--recursive'], true);
      await cli.deleteStack(ARBITER_STACK);
    }
  }
  if (vpcId) {
    const deadline = Date.now() + eniTimeoutMs;
    for (;;) {
      const enis = await lambdaEnis(l.ec2, vpcId);
      if (enis.length === 0 || Date.now() > deadline) break;
      say(`waiting for ${enis.length} Lambda network interface(s) to be released: ${enis.join(', ')}`);
      await l.sleep(30_000);
    }
  }
  if (fixture) {
    if (allocationId && (await detachAddress(l.ec2, allocationId)))
      say(`Elastic IP ${allocationId} disassociated (the arbiter had placed it)`);
    say(`deleting ${FIXTURE_STACK}`);
    await cli.deleteStack(FIXTURE_STACK);
  }
  const prefix = `/aws/lambda/${ARBITER_STACK}-`;
  if (!keepLogs) {
    for (const name of await cli.logGroups(prefix))
      await cli.json(['logs', 'delete-log-group', '--log-group-name', name]);
  }
  const left: Leftovers = { stacks: [], elasticIps: [], enis: [], logGroups: [] };
  for (const stack of [ARBITER_STACK, FIXTURE_STACK])
    if (await cli.stackOutputs(stack)) left.stacks.push(stack);
  if (allocationId && (await allocationExists(l.ec2, allocationId))) left.elasticIps.push(allocationId);
  if (vpcId) left.enis.push(...(await lambdaEnis(l.ec2, vpcId)));
  if (!keepLogs) left.logGroups.push(...(await cli.logGroups(prefix)));
  if (left.stacks.length === 0) {
    rmSync(join(root, SANDBOX_CONFIG), { force: true });
    rmSync(join(root, WORK_DIR), { recursive: true, force: true });
  }
  return left;
}

/** The one-line verdict of `down`. */
export function leftoversText(left: Leftovers, keepLogs: boolean, region: string): string {
  const parts = [
    ...left.stacks.map((s) => `stack ${s}`),
    ...left.elasticIps.map((a) => `Elastic IP ${a}`),
    ...left.enis.map((e) => `network interface ${e}`),
    ...left.logGroups.map((g) => `log group ${g}`),
  ];
  if (parts.length > 0) return `LEFT BEHIND in ${region}: ${parts.join(', ')}`;
  return `nothing left behind in ${region}: both stacks deleted, the Elastic IP released, no Lambda network interfaces, ${keepLogs ? 'log groups kept (--keep-logs)' : 'no log groups'}`;
}
