import { TABLE_ATTRIBUTES, TABLE_KEY_SCHEMA, TTL_ATTRIBUTE } from '../shared/adapters/dynamo/table-schema';
import { type CfnResources, ref } from './cfn';
import { Ids } from './names';
import type { StackParams } from './params';

export { TTL_ATTRIBUTE };

/**
 * The table (on demand; stream for the arbiter; TTL for history; point-in-time recovery;
 * encrypted at rest with the free AWS-owned key) and the alert topic with its optional email
 * subscription.
 */
export function dataResources(params: StackParams): CfnResources {
  const resources: CfnResources = {
    [Ids.table]: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...TABLE_ATTRIBUTES],
        KeySchema: [...TABLE_KEY_SCHEMA],
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    },
    // Not encrypted with the AWS-managed SNS key: CloudWatch alarms cannot publish to such a topic.
    [Ids.topic]: {
      Type: 'AWS::SNS::Topic',
      Properties: { DisplayName: 'ha-arbiter' },
    },
  };
  if (params.alertEmail !== undefined) {
    resources[Ids.emailSubscription] = {
      Type: 'AWS::SNS::Subscription',
      Properties: { TopicArn: ref(Ids.topic), Protocol: 'email', Endpoint: params.alertEmail },
    };
  }
  return resources;
}
