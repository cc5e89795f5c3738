import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  createDynamoClient,
  createEc2Client,
  createSnsClient,
  createSsmClient,
  measureClockSkew,
} from '../adapters/aws/clients';
import { ec2Cloud } from '../adapters/aws/ec2-cloud';
import { ec2MovePermissions } from '../adapters/aws/ec2-move-permissions';
import { ec2Stopper } from '../adapters/aws/ec2-stopper';
import { SnsNotifier } from '../adapters/aws/sns-notifier';
import { ssmSender } from '../adapters/aws/ssm-sender';
import { DynamoStore } from '../adapters/dynamo/dynamo-store';
import { DynamoReadinessMemo } from '../adapters/dynamo/readiness-memo';
import { loadConfig } from '../config/load';
import type { ArbiterConfig } from '../config/schema';
import { ClockSkew } from '../domain/clock-skew';
import type { Log } from '../ports/log';
import { createAfterMove } from '../usecases/after-move';
import { type ArbiterDeps, newContainerMemory } from '../usecases/deps';
import { FENCE_SETTLE_MS } from '../usecases/fence';
import { optionalEnv, requireEnv } from './env';
import { createLogger } from './logger';

/**
 * Things built once per Lambda container (or local process): the config, SDK clients,
 * adapters and the logger. Handlers take them from here; the core never imports clients.
 */
export interface Container {
  config: ArbiterConfig;
  store: DynamoStore;
  logger: Logger;
  log: Log;
  arbiterDeps(owner?: string): ArbiterDeps;
}

let cached: Container | undefined;

/**
 * Builds (once) the container from the environment: CONFIG_PATH (default `arbiter.yml`),
 * TABLE_NAME, TOPIC_ARN (arbiter side only).
 * @throws ConfigError or EnvError with a message that names what is wrong.
 */
export function container(env: NodeJS.ProcessEnv = process.env): Container {
  if (cached) return cached;
  const config = loadConfig(optionalEnv('CONFIG_PATH', 'arbiter.yml', env));
  const tableName = requireEnv('TABLE_NAME', 'the DynamoDB table of ha-arbiter', env);
  const logger = createLogger();
  // This container's clock against AWS's, from the Date header of every table and EC2 answer.
  const skew = new ClockSkew();
  const store = new DynamoStore({
    tableName,
    client: measureClockSkew(createDynamoClient(), skew),
    // readGroup names a group's verdict rows from its vantages and nodes.
    groups: config.groups,
  });
  let deps: Omit<ArbiterDeps, 'owner'> | undefined;
  // What this container remembers across invocations (a Lambda container serves many).
  const memory = newContainerMemory();
  const log = toLog(logger);
  const build = (): Omit<ArbiterDeps, 'owner'> => ({
    config,
    store,
    cloud: ec2Cloud(measureClockSkew(createEc2Client(), skew)),
    notifier: new SnsNotifier(createSnsClient(), requireEnv('TOPIC_ARN', 'the SNS topic for alerts', env)),
    // Writes and comparisons of times other arbiters wrote are in AWS's time (ClockSkew.awsNow).
    now: () => skew.awsNow(),
    awsTimeProven: () => skew.proven(),
    monotonic: () => performance.now(),
    log,
    memory,
    clockSkewMs: () => skew.skewMs,
    afterMove: createAfterMove({
      stopper: ec2Stopper(createEc2Client()),
      sender: ssmSender(createSsmClient()),
      settle: {
        ms: FENCE_SETTLE_MS,
        sleep: (ms: number) => new Promise<void>((done) => setTimeout(done, ms)),
      },
    }),
    readiness: {
      permissions: ec2MovePermissions(createEc2Client()),
      memo: new DynamoReadinessMemo(createDynamoClient(), tableName),
    },
  });
  cached = {
    config,
    store,
    logger,
    log,
    arbiterDeps(owner) {
      deps ??= build();
      return { ...deps, owner: owner ?? `arbiter-${randomUUID()}` };
    },
  };
  return cached;
}

/** Forgets the cached container (tests and the local runtime switch configs). */
export function resetContainer(): void {
  cached = undefined;
}

/** Adapts the Powertools logger to the core's Log interface. */
export function toLog(logger: Logger): Log {
  const wrap =
    (fn: (message: string, ...extra: [Record<string, unknown>] | []) => void) =>
    (message: string, extra?: Record<string, unknown>) =>
      extra ? fn(message, extra) : fn(message);
  return {
    debug: wrap(logger.debug.bind(logger) as never),
    info: wrap(logger.info.bind(logger) as never),
    warn: wrap(logger.warn.bind(logger) as never),
    error: wrap(logger.error.bind(logger) as never),
  };
}
