import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CfnResources, getAtt, sub } from './cfn';
import { lambdaRole } from './iam/role';
import { functionName, Ids } from './names';

/** Source of the lookup function, inlined into the template (CloudFormation allows 4,096 characters). */
export const PREFIX_LIST_LOOKUP_SOURCE = fileURLToPath(new URL('./prefix-list-lookup.cjs', import.meta.url));
export const MAX_INLINE_CODE_CHARS = 4096;

/**
 * A small custom resource that returns the region's DynamoDB prefix list id (`pl-...`) for the
 * security groups' HTTPS egress. Skipped when `--param dynamodbPrefixList=pl-...` is given.
 * It only reads (DescribeManagedPrefixLists cannot be limited to a resource).
 */
export function prefixListLookup(names: { service: string; stage: string }): CfnResources {
  const code = readFileSync(PREFIX_LIST_LOOKUP_SOURCE, 'utf8');
  const name = functionName(names.service, names.stage, 'prefix-list');
  return {
    [Ids.prefixListLogGroup]: {
      Type: 'AWS::Logs::LogGroup',
      Properties: { LogGroupName: `/aws/lambda/${name}`, RetentionInDays: 7 },
    },
    [Ids.prefixListRole]: lambdaRole('ha-arbiter: looks up the DynamoDB prefix list at deploy time', [
      { Sid: 'FindPrefixList', Effect: 'Allow', Action: ['ec2:DescribeManagedPrefixLists'], Resource: '*' },
      {
        Sid: 'WriteOwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [getAtt(Ids.prefixListLogGroup, 'Arn')],
      },
    ]),
    [Ids.prefixListFunction]: {
      Type: 'AWS::Lambda::Function',
      DependsOn: [Ids.prefixListLogGroup],
      Properties: {
        FunctionName: name,
        Description: 'ha-arbiter: DynamoDB prefix list lookup (deploy time only)',
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 128,
        Timeout: 30,
        Role: getAtt(Ids.prefixListRole, 'Arn'),
        Code: { ZipFile: code },
      },
    },
    [Ids.prefixList]: {
      Type: 'Custom::DynamoDbPrefixList',
      Properties: {
        ServiceToken: getAtt(Ids.prefixListFunction, 'Arn'),
        PrefixListName: sub(`com.amazonaws.\${AWS::Region}.dynamodb`),
      },
    },
  };
}
