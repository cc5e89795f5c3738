import type { ArbiterConfig } from '../shared/config/schema';
import { type CfnResources, type CfnValue, getAtt, sub } from './cfn';
import { Ids, proberKey, securityGroupLogicalId } from './names';
import type { StackParams } from './params';
import { prefixListLookup } from './prefix-list';
import { egressTargets } from './probe-targets';

/** Interface endpoints the arbiter side needs inside the VPC (EC2 and SNS, SSM for OS hooks). */
export function interfaceEndpointServices(config: ArbiterConfig): string[] {
  const hooks = config.groups.some((g) => (g as { osHook?: unknown }).osHook !== undefined);
  return hooks ? ['ec2', 'sns', 'ssm'] : ['ec2', 'sns'];
}

/**
 * The network part of the stack:
 * - one security group per prober, egress only to the probed nodes (/32, probe port), the
 *   outside targets of NAT egress probes run from that vantage, and DynamoDB over HTTPS (its prefix list, reached through the gateway endpoint);
 * - the DynamoDB gateway endpoint on the vantages' route tables (unless an existing one is named);
 * - with `arbiterInVpc`: a security group for the arbiter side and EC2/SNS interface endpoints.
 */
export function networkResources(
  config: ArbiterConfig,
  params: StackParams,
  names: { service: string; stage: string },
): CfnResources {
  const vpcId = config.vpc as string;
  const resources: CfnResources = {};
  const prefixList: CfnValue = params.dynamodbPrefixList ?? getAtt(Ids.prefixList, 'PrefixListId');
  if (params.dynamodbPrefixList === undefined) Object.assign(resources, prefixListLookup(names));

  const dynamoEgress = {
    IpProtocol: 'tcp',
    FromPort: 443,
    ToPort: 443,
    DestinationPrefixListId: prefixList,
    Description: 'DynamoDB through the gateway endpoint',
  };

  for (const v of config.vantages) {
    const key = proberKey(v.id);
    resources[securityGroupLogicalId(key)] = {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: `ha-arbiter prober ${v.id}: egress to probed nodes and DynamoDB only`,
        VpcId: vpcId,
        SecurityGroupEgress: [
          ...egressTargets(config, v.id).map((t) => ({
            IpProtocol: 'tcp',
            FromPort: t.port,
            ToPort: t.port,
            CidrIp: t.cidr,
            Description: t.description,
          })),
          dynamoEgress,
        ],
        Tags: [{ Key: 'Name', Value: sub(`\${AWS::StackName}-${key}`) }],
      },
    };
  }

  if (params.dynamodbEndpoint === undefined) {
    const routeTables = [...new Set(config.vantages.map((v) => v.routeTable as string))].sort();
    resources[Ids.dynamoEndpoint] = {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        VpcEndpointType: 'Gateway',
        VpcId: vpcId,
        ServiceName: sub(`com.amazonaws.\${AWS::Region}.dynamodb`),
        RouteTableIds: routeTables,
      },
    };
  }

  if (params.arbiterInVpc) Object.assign(resources, arbiterVpcResources(config, vpcId, dynamoEgress));
  return resources;
}

function arbiterVpcResources(config: ArbiterConfig, vpcId: string, dynamoEgress: Record<string, unknown>) {
  const subnets = [...new Set(config.vantages.map((v) => v.subnet))];
  const resources: CfnResources = {
    [Ids.arbiterSecurityGroup]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: 'ha-arbiter arbiter side: HTTPS to the interface endpoints and DynamoDB only',
        VpcId: vpcId,
        SecurityGroupEgress: [
          {
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            DestinationSecurityGroupId: getAtt(Ids.endpointSecurityGroup, 'GroupId'),
            Description: 'EC2/SNS interface endpoints',
          },
          dynamoEgress,
        ],
      },
    },
    [Ids.endpointSecurityGroup]: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: 'ha-arbiter interface endpoints: HTTPS from the arbiter side only',
        VpcId: vpcId,
        // An explicit rule replaces the default allow-all egress; endpoints never open connections.
        SecurityGroupEgress: [{ IpProtocol: 'icmp', FromPort: -1, ToPort: -1, CidrIp: '127.0.0.1/32' }],
      },
    },
    // A separate resource: inline, the two groups would refer to each other (a cycle).
    [Ids.endpointIngress]: {
      Type: 'AWS::EC2::SecurityGroupIngress',
      Properties: {
        GroupId: getAtt(Ids.endpointSecurityGroup, 'GroupId'),
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        SourceSecurityGroupId: getAtt(Ids.arbiterSecurityGroup, 'GroupId'),
        Description: 'HTTPS from the arbiter side',
      },
    },
  };
  for (const service of interfaceEndpointServices(config)) {
    resources[Ids.interfaceEndpoint(service)] = {
      Type: 'AWS::EC2::VPCEndpoint',
      Properties: {
        VpcEndpointType: 'Interface',
        VpcId: vpcId,
        ServiceName: sub(`com.amazonaws.\${AWS::Region}.${service}`),
        SubnetIds: subnets,
        SecurityGroupIds: [getAtt(Ids.endpointSecurityGroup, 'GroupId')],
        PrivateDnsEnabled: true,
      },
    };
  }
  return resources;
}
