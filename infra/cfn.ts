/**
 * Just enough CloudFormation typing to build the template by hand: values are literals or
 * intrinsic functions, resources are plain objects, exactly as they land in the JSON template.
 */
export type CfnValue = string | number | boolean | CfnIntrinsic | CfnValue[] | { [key: string]: CfnValue };

export type CfnIntrinsic =
  | { Ref: string }
  | { 'Fn::GetAtt': [string, string] }
  | { 'Fn::Sub': string }
  | { 'Fn::Join': [string, CfnValue[]] };

/** One entry of the template's `Resources`. */
export interface CfnResource {
  Type: string;
  /** Typed loosely: the shapes are CloudFormation's, checked by the template tests. */
  Properties?: Record<string, unknown>;
  DependsOn?: string[];
  DeletionPolicy?: 'Delete' | 'Retain' | 'Snapshot';
  UpdateReplacePolicy?: 'Delete' | 'Retain' | 'Snapshot';
}

export type CfnResources = Record<string, CfnResource>;

/** One statement of an IAM policy document. */
export interface IamStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string[];
  Resource?: CfnValue[] | '*';
  NotResource?: CfnValue[];
  Condition?: Record<string, Record<string, CfnValue>>;
}

export const ref = (logicalId: string): CfnIntrinsic => ({ Ref: logicalId });
export const getAtt = (logicalId: string, attribute: string): CfnIntrinsic => ({
  'Fn::GetAtt': [logicalId, attribute],
});
export const sub = (template: string): CfnIntrinsic => ({ 'Fn::Sub': template });

/**
 * An ARN in this stack's partition, region and account, e.g. `arn('ec2', 'instance/i-0abc')`.
 * Config values inside it come from schema-checked ids, so they never contain `${`.
 */
export function arn(
  service: string,
  resource: string,
  options: { region?: boolean; account?: boolean } = {},
) {
  const region = options.region === false ? '' : `\${AWS::Region}`;
  const account = options.account === false ? '' : `\${AWS::AccountId}`;
  return sub(`arn:\${AWS::Partition}:${service}:${region}:${account}:${resource}`);
}
