import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig } from '../shared/config/load';
import type { ArbiterConfig } from '../shared/config/schema';
import { ConfigError } from '../shared/domain/errors';
import { alarmResources } from './alarms';
import { auditResources } from './audit';
import type { CfnResources } from './cfn';
import { dashboardResources } from './dashboard';
import { dataResources } from './data';
import { drillScheduleResources } from './drill-schedules';
import { type FunctionDefinition, generatedFunctions } from './functions';
import { functionPolicies } from './iam/policies';
import { lambdaRole, MAX_INLINE_POLICY_CHARS, policyChars } from './iam/role';
import { Ids, roleLogicalId } from './names';
import { networkResources } from './network';
import { parseParams, type RawParams, type StackParams } from './params';
import { SCHEDULER_RETRY_POLICY, schedulerResources } from './scheduler';
import { checkDeployable } from './validate';

/** What the stack is generated from: osls's service, stage and region, and the raw params. */
export interface StackInput {
  /** Directory of serverless.yml; the config path is relative to it. */
  serviceDir: string;
  service: string;
  stage: string;
  region: string;
  params: RawParams;
}

/** The generated parts serverless.yml pulls in through infra/stack.cjs. */
export interface Stack {
  params: StackParams;
  config: ArbiterConfig;
  /** The config file relative to the service directory: packaged, and CONFIG_PATH at runtime. */
  configPath: string;
  functions: Record<string, FunctionDefinition>;
  resources: { Resources: CfnResources; Outputs: Record<string, unknown> };
  schedulerRetryPolicy: typeof SCHEDULER_RETRY_POLICY;
}

/**
 * Validates the config with the same loader as the runtime (so a bad config fails the package
 * with the same ConfigError text), checks what AWS needs beyond it, and generates everything
 * config-driven: probers, roles, security groups, endpoints, table, topic, alarms.
 * @throws ConfigError naming the bad field or parameter.
 */
export function buildStack(input: StackInput): Stack {
  const params = parseParams(input.params, input.serviceDir);
  const config = readConfig(input.serviceDir, params.configPath);
  const names = { service: input.service, stage: input.stage, serviceDir: input.serviceDir };
  checkDeployable(config, params, names, params.configPath);

  const policies = functionPolicies({ config, params, service: input.service, stage: input.stage });
  const roles: CfnResources = {};
  const tooBig: string[] = [];
  for (const [key, statements] of Object.entries(policies)) {
    const size = policyChars(statements);
    if (size > MAX_INLINE_POLICY_CHARS) {
      tooBig.push(
        `the role of ${key} would need a ${size}-character policy; IAM allows 10,240 (fewer groups or nodes per stage)`,
      );
    }
    roles[roleLogicalId(key)] = lambdaRole(`ha-arbiter ${input.stage}: ${key}`, statements);
  }
  if (tooBig.length > 0) throw new ConfigError(params.configPath, tooBig);

  return {
    params,
    config,
    configPath: params.configPath,
    functions: generatedFunctions({ config, params, service: input.service, stage: input.stage }),
    resources: {
      Resources: {
        ...dataResources(params),
        ...networkResources(config, params, names),
        ...schedulerResources(config),
        ...roles,
        ...alarmResources(config, names, params.metrics),
        ...auditResources(params, names),
        ...drillScheduleResources(config),
        ...(params.dashboard ? dashboardResources(config, names) : {}),
      },
      Outputs: {
        TableName: { Description: 'The ha-arbiter table', Value: { Ref: Ids.table } },
        AlertTopicArn: { Description: 'Alerts (subscribe email, chat, pager)', Value: { Ref: Ids.topic } },
      },
    },
    schedulerRetryPolicy: SCHEDULER_RETRY_POLICY,
  };
}

/** Reads the config as the runtime does (loadConfig), naming the file as CONFIG_PATH will. */
function readConfig(serviceDir: string, configPath: string): ArbiterConfig {
  let text: string;
  try {
    text = readFileSync(resolve(serviceDir, configPath), 'utf8');
  } catch (error) {
    throw new ConfigError(configPath, [`cannot read the file: ${(error as Error).message}`]);
  }
  return parseConfig(text, configPath);
}
