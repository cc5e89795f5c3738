import type { CfnValue, IamStatement } from '../../../infra/cfn';
import { functionPolicies } from '../../../infra/iam/policies';
import { functionName, Ids } from '../../../infra/names';
import type { StackParams } from '../../../infra/params';
import type { ArbiterConfig } from '../../../shared/config/schema';
import type { PolicyDocument, Principal } from './credentials';

/** What the stack's `Ref`s and `GetAtt`s stand for in one local (or test) deployment. */
export interface StackNames {
  readonly region: string;
  readonly accountId: string;
  readonly tableName: string;
  readonly topicArn: string;
  /** serverless.yml `service` and the stage: they make the function and role names. */
  readonly service: string;
  readonly stage: string;
}

/** The table's ARN in these names. */
export const tableArn = (names: Pick<StackNames, 'region' | 'accountId' | 'tableName'>): string =>
  `arn:aws:dynamodb:${names.region}:${names.accountId}:table/${names.tableName}`;

/** The stream ARN the local table answers with (a real one ends in the stream's creation label). */
export const streamArn = (names: Pick<StackNames, 'region' | 'accountId' | 'tableName'>): string =>
  `${tableArn(names)}/stream/1970-01-01T00:00:00.000`;

/** An error in resolving a template value locally: names the value. */
export class UnresolvedIntrinsicError extends Error {
  constructor(what: string) {
    super(`the local IAM check cannot resolve ${what} in the generated policies`);
    this.name = 'UnresolvedIntrinsicError';
  }
}

function attribute(names: StackNames, logicalId: string, attr: string | undefined): string {
  if (logicalId === Ids.table && attr === 'Arn') return tableArn(names);
  if (logicalId === Ids.table && attr === 'StreamArn') return streamArn(names);
  if (logicalId === Ids.topic && attr === undefined) return names.topicArn;
  if (logicalId.endsWith('LogGroup') && attr === 'Arn') {
    return `arn:aws:logs:${names.region}:${names.accountId}:log-group:/aws/lambda/${logicalId}:*`;
  }
  // Security groups exist only on AWS; the placeholder never matches a local call.
  if (logicalId.endsWith('SecurityGroup') && (attr === 'GroupId' || attr === undefined)) {
    return `sg-local-${logicalId.toLowerCase()}`;
  }
  throw new UnresolvedIntrinsicError(attr ? `${logicalId}.${attr}` : logicalId);
}

function substitute(names: StackNames, template: string): string {
  return template.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    if (name === 'AWS::Partition') return 'aws';
    if (name === 'AWS::Region') return names.region;
    if (name === 'AWS::AccountId') return names.accountId;
    if (name === 'AWS::URLSuffix') return 'amazonaws.com';
    const [logicalId, attr] = name.split('.') as [string, string | undefined];
    return attribute(names, logicalId, attr);
  });
}

/**
 * A template value with its intrinsics (`Fn::Sub`, `Fn::GetAtt`, `Ref`, `Fn::Join`) replaced by
 * what CloudFormation would put there in this deployment.
 * @throws UnresolvedIntrinsicError for a reference the local stack has no value for.
 */
export function resolveIntrinsics(value: unknown, names: StackNames): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIntrinsics(v, names));
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1) {
    if (typeof o['Fn::Sub'] === 'string') return substitute(names, o['Fn::Sub']);
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [id, attr] = o['Fn::GetAtt'] as [string, string];
      return attribute(names, id, attr);
    }
    if (typeof o.Ref === 'string') return attribute(names, o.Ref, undefined);
    if (Array.isArray(o['Fn::Join'])) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map((p) => resolveIntrinsics(p, names)).join(sep);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, resolveIntrinsics(o[k], names)]));
}

/** One role's statements as the policy document IAM evaluates. */
export function policyDocument(
  statements: readonly (IamStatement | Record<string, unknown>)[],
  names: StackNames,
): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: statements.map((s) => resolveIntrinsics(s as CfnValue, names) as Record<string, unknown>),
  };
}

/**
 * One principal per function of the stack the config generates, each with the policy document
 * `infra/` writes into its role (function key -> principal). The principal's ARN is the one its
 * role session would have on AWS.
 */
export function functionPrincipals(
  config: ArbiterConfig,
  names: StackNames,
  params: Partial<StackParams> = {},
): Map<string, Principal> {
  const policies = functionPolicies({
    config,
    params: {
      configPath: 'arbiter.yml',
      arbiterInVpc: false,
      proberMemoryMb: 128,
      dashboard: false,
      ...params,
      metrics: params.metrics ?? 'basic',
    },
    service: names.service,
    stage: names.stage,
  });
  const out = new Map<string, Principal>();
  for (const [key, statements] of Object.entries(policies)) {
    const fn = functionName(names.service, names.stage, key);
    out.set(key, {
      name: key,
      arn: `arn:aws:sts::${names.accountId}:assumed-role/${fn}-role/${fn}`,
      policies: [policyDocument(statements, names)],
      functionArn: `arn:aws:lambda:${names.region}:${names.accountId}:function:${fn}`,
    });
  }
  return out;
}
