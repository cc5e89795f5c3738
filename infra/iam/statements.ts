import { arn, type CfnValue, getAtt, type IamStatement, ref } from '../cfn';
import { Ids, logGroupLogicalId } from '../names';
import { EC2_READ_ACTIONS } from './ec2';

/** The table actions each side of the code uses (see shared/adapters/dynamo/dynamo-*-store.ts). */
export const TableActions = {
  /**
   * Probers, in their own `v#<vantage>` partition only: load their verdicts (Query) and write
   * verdicts and the heartbeat (conditional PutItem).
   */
  prober: ['dynamodb:PutItem', 'dynamodb:Query'],
  /** The arbiter side reads a group's state item and its vantages' rows with BatchGetItem. */
  groupRead: ['dynamodb:BatchGetItem'],
  read: ['dynamodb:GetItem', 'dynamodb:Query'],
  write: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
} as const;

/**
 * Table access limited to the given partitions (`g#<group>` for a group's state, `h#<group>`
 * for its history, `v#<vantage>` for a vantage's verdicts and heartbeat): `dynamodb:LeadingKeys`
 * makes DynamoDB refuse any other partition key.
 */
export function tableAccess(
  sid: string,
  actions: readonly string[],
  partitions: readonly string[],
): IamStatement {
  return {
    Sid: sid,
    Effect: 'Allow',
    Action: [...actions],
    Resource: [getAtt(Ids.table, 'Arn')],
    Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...partitions].sort() } },
  };
}

/** What a DynamoDB stream event source mapping needs from the function's role. */
export function streamRead(): IamStatement {
  return {
    Sid: 'ReadTableStream',
    Effect: 'Allow',
    Action: [
      'dynamodb:DescribeStream',
      'dynamodb:GetRecords',
      'dynamodb:GetShardIterator',
      'dynamodb:ListStreams',
    ],
    Resource: [getAtt(Ids.table, 'StreamArn')],
  };
}

export function publishAlerts(): IamStatement {
  return { Sid: 'PublishAlerts', Effect: 'Allow', Action: ['sns:Publish'], Resource: [ref(Ids.topic)] };
}

/** Describe calls cannot be limited to resources in IAM; they only read. */
export function ec2Read(all = false): IamStatement {
  return {
    Sid: 'ReadEc2',
    Effect: 'Allow',
    Action: all ? ['ec2:Describe*'] : [...EC2_READ_ACTIONS],
    Resource: '*',
  };
}

/** Writing to the function's own log group (osls creates it, so no CreateLogGroup). */
export function writeLogs(functionKey: string): IamStatement {
  return {
    Sid: 'WriteOwnLogs',
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: [getAtt(logGroupLogicalId(functionKey), 'Arn')],
  };
}

/** ENI actions Lambda performs with the execution role to attach a function to a VPC. */
const VPC_ENI_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DeleteNetworkInterface',
  'ec2:AssignPrivateIpAddresses',
  'ec2:UnassignPrivateIpAddresses',
];

/**
 * VPC attachment. Lambda creates and deletes the function's network interfaces with the
 * execution role, on interface ids nobody knows in advance, so those actions are granted on
 * `network-interface/*` (creation only in the function's subnets and security group) and then
 * denied to the function's own code: calls made from inside the function carry
 * `lambda:SourceFunctionArn`, Lambda's own ENI calls do not. `ownEnis` are ENIs the code
 * itself may assign IPs on (secondary-ip groups), which the deny leaves out.
 */
export function vpcAttachment(input: {
  functionArn: CfnValue;
  subnets: readonly string[];
  securityGroupIds: readonly string[];
  ownEnis: readonly CfnValue[];
}): IamStatement[] {
  const sourceIsCode = { ArnEquals: { 'lambda:SourceFunctionArn': input.functionArn } };
  const denyOwnCode: IamStatement[] = [
    {
      Sid: 'DenyEniManagementToCode',
      Effect: 'Deny',
      Action: ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:DetachNetworkInterface'],
      Resource: '*',
      Condition: sourceIsCode,
    },
    input.ownEnis.length > 0
      ? {
          Sid: 'DenyIpAssignmentToCodeOutsideConfig',
          Effect: 'Deny',
          Action: ['ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          NotResource: [...input.ownEnis],
          Condition: sourceIsCode,
        }
      : {
          Sid: 'DenyIpAssignmentToCode',
          Effect: 'Deny',
          Action: ['ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
          Resource: '*',
          Condition: sourceIsCode,
        },
  ];
  return [
    {
      Sid: 'LambdaVpcCreateEni',
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkInterface'],
      Resource: [
        arn('ec2', 'network-interface/*'),
        ...input.subnets.map((s) => arn('ec2', `subnet/${s}`)),
        ...input.securityGroupIds.map((sg) => arn('ec2', `security-group/\${${sg}.GroupId}`)),
      ],
    },
    {
      Sid: 'LambdaVpcManageEni',
      Effect: 'Allow',
      Action: VPC_ENI_ACTIONS.slice(1),
      Resource: [arn('ec2', 'network-interface/*')],
    },
    {
      Sid: 'LambdaVpcDescribe',
      Effect: 'Allow',
      Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
      Resource: '*',
    },
    ...denyOwnCode,
  ];
}

/** Reading one SSM parameter (a SecureString: decrypted with KMS, only through SSM). */
export function readParameter(name: string): IamStatement[] {
  const path = name.startsWith('/') ? name.slice(1) : name;
  return [
    {
      Sid: 'ReadWebhookParameter',
      Effect: 'Allow',
      Action: ['ssm:GetParameter'],
      Resource: [arn('ssm', `parameter/${path}`)],
    },
    {
      Sid: 'DecryptWebhookParameter',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [arn('kms', 'key/*')],
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': `ssm.\${AWS::Region}.amazonaws.com` } } },
    },
  ];
}
