import type { CfnResources, CfnValue } from '../cfn';
import { getAtt, ref, sub } from '../cfn';

/**
 * The sandbox fixture: what `npm run sandbox -- up` creates before the arbiter, so a real
 * failover can be watched on an empty account. A VPC with two public subnets in two AZs, an
 * internet gateway, two arm64 nginx nodes (SSM-managed, `/healthz` from user data), one
 * Elastic IP on the first, and an SQS queue the arbiter's alert topic is subscribed to, so the
 * drill can see when the alert arrives. Deleted whole by `npm run sandbox -- down`.
 */

/** The public SSM parameter that always names the current Amazon Linux 2023 arm64 AMI. */
export const AMI_PARAMETER = '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64';

export const FIXTURE_STACK = 'ha-arbiter-sandbox-fixture';
/** The stage of the arbiter stack (`serverless deploy --stage sandbox`): stack `ha-arbiter-sandbox`. */
export const SANDBOX_STAGE = 'sandbox';
export const ARBITER_STACK = `ha-arbiter-${SANDBOX_STAGE}`;

/** The tag on both stacks (and, through CloudFormation, on what they create). */
export const SANDBOX_TAG = { Key: 'ha-arbiter:sandbox', Value: 'true' } as const;

export const VPC_CIDR = '10.77.0.0/16';

/** The two nodes: fixed private IPs, so the arbiter config is predictable. */
export const FIXTURE_NODES = [
  { id: 'lb-1', logicalId: 'Node1', subnet: 'SubnetA', privateIp: '10.77.1.10', priority: 200 },
  { id: 'lb-2', logicalId: 'Node2', subnet: 'SubnetB', privateIp: '10.77.2.10', priority: 100 },
] as const;

/** Output names the sandbox CLI reads (`aws cloudformation describe-stacks`). */
export const Outputs = {
  vpc: 'VpcId',
  subnetA: 'SubnetAId',
  subnetB: 'SubnetBId',
  routeTable: 'RouteTableId',
  node1: 'Node1InstanceId',
  node2: 'Node2InstanceId',
  node1Ip: 'Node1PrivateIp',
  node2Ip: 'Node2PrivateIp',
  allocation: 'ElasticIpAllocationId',
  publicIp: 'ElasticIpAddress',
  queueUrl: 'AlertQueueUrl',
  queueArn: 'AlertQueueArn',
} as const;

/**
 * nginx from the distribution's repository, answering `/healthz` (what the probers check) and
 * `/` with `x-served-by: <node>` so the drill's client sees which node answered.
 */
export function userData(node: string): string {
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    'dnf install -y nginx',
    "cat > /etc/nginx/default.d/ha-arbiter-sandbox.conf <<'EOF'",
    `location = /healthz { default_type text/plain; add_header x-served-by ${node} always; return 200 "ok ${node}\\n"; }`,
    `location = / { default_type text/plain; add_header x-served-by ${node} always; return 200 "hello from ${node}\\n"; }`,
    'EOF',
    'systemctl enable --now nginx',
    '',
  ].join('\n');
}

const tags = (name: string): CfnValue[] => [
  { Key: 'Name', Value: sub(`\${AWS::StackName}-${name}`) },
  { Key: SANDBOX_TAG.Key, Value: SANDBOX_TAG.Value },
];

/** The fixture as a CloudFormation template (JSON-serializable). */
export function fixtureTemplate(): Record<string, unknown> {
  const az = (index: number) => ({ 'Fn::Select': [String(index), { 'Fn::GetAZs': '' }] });
  const resources: CfnResources = {
    Vpc: {
      Type: 'AWS::EC2::VPC',
      Properties: {
        CidrBlock: VPC_CIDR,
        EnableDnsSupport: true,
        EnableDnsHostnames: true,
        Tags: tags('vpc'),
      },
    },
    InternetGateway: { Type: 'AWS::EC2::InternetGateway', Properties: { Tags: tags('igw') } },
    GatewayAttachment: {
      Type: 'AWS::EC2::VPCGatewayAttachment',
      Properties: { VpcId: ref('Vpc'), InternetGatewayId: ref('InternetGateway') },
    },
    // One public route table for both subnets; the arbiter stack adds the DynamoDB gateway
    // endpoint's route to it (the probers in these subnets reach DynamoDB without the internet).
    RouteTable: {
      Type: 'AWS::EC2::RouteTable',
      Properties: { VpcId: ref('Vpc'), Tags: tags('public') },
    },
    DefaultRoute: {
      Type: 'AWS::EC2::Route',
      DependsOn: ['GatewayAttachment'],
      Properties: {
        RouteTableId: ref('RouteTable'),
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: ref('InternetGateway'),
      },
    },
    SubnetA: subnet('10.77.1.0/24', az(0), 'a'),
    SubnetB: subnet('10.77.2.0/24', az(1), 'b'),
    SubnetARoutes: {
      Type: 'AWS::EC2::SubnetRouteTableAssociation',
      Properties: { SubnetId: ref('SubnetA'), RouteTableId: ref('RouteTable') },
    },
    SubnetBRoutes: {
      Type: 'AWS::EC2::SubnetRouteTableAssociation',
      Properties: { SubnetId: ref('SubnetB'), RouteTableId: ref('RouteTable') },
    },
    NodeSecurityGroup: {
      Type: 'AWS::EC2::SecurityGroup',
      Properties: {
        GroupDescription: 'ha-arbiter sandbox nodes: HTTP from the VPC (probers) and from the operator',
        VpcId: ref('Vpc'),
        SecurityGroupIngress: [
          { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: VPC_CIDR, Description: 'probers' },
          {
            IpProtocol: 'tcp',
            FromPort: 80,
            ToPort: 80,
            CidrIp: ref('OperatorCidr'),
            Description: 'the machine running the drill',
          },
        ],
        Tags: tags('nodes'),
      },
    },
    NodeRole: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
          ],
        },
        ManagedPolicyArns: [sub(`arn:\${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`)],
        Tags: tags('node-role'),
      },
    },
    NodeInstanceProfile: {
      Type: 'AWS::IAM::InstanceProfile',
      Properties: { Roles: [ref('NodeRole')] },
    },
    ElasticIp: {
      Type: 'AWS::EC2::EIP',
      DependsOn: ['GatewayAttachment'],
      // Placed on the first node once; after that the arbiter owns the association (a stack
      // update does not move it back unless this resource itself changes).
      Properties: { Domain: 'vpc', InstanceId: ref('Node1'), Tags: tags('eip') },
    },
    AlertQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { MessageRetentionPeriod: 3600, Tags: tags('alerts') },
    },
    // The arbiter's topic does not exist yet when this stack is created (its stack comes
    // second), so the queue accepts any topic of the arbiter stack; `up` subscribes it after.
    AlertQueuePolicy: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Queues: [ref('AlertQueue')],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { Service: 'sns.amazonaws.com' },
              Action: 'sqs:SendMessage',
              Resource: getAtt('AlertQueue', 'Arn'),
              Condition: {
                ArnLike: {
                  'aws:SourceArn': sub(
                    `arn:\${AWS::Partition}:sns:\${AWS::Region}:\${AWS::AccountId}:\${ArbiterStackName}-*`,
                  ),
                },
              },
            },
          ],
        },
      },
    },
  };
  for (const node of FIXTURE_NODES) {
    resources[node.logicalId] = {
      Type: 'AWS::EC2::Instance',
      // The default route first: user data installs nginx from the internet at boot.
      DependsOn: ['DefaultRoute', `${node.subnet}Routes`],
      Properties: {
        ImageId: ref('AmiId'),
        InstanceType: ref('InstanceType'),
        IamInstanceProfile: ref('NodeInstanceProfile'),
        // A public address of its own (auto-assigned): the node reaches the package repository
        // and SSM whether or not it holds the Elastic IP, and gets one back when it loses it.
        NetworkInterfaces: [
          {
            DeviceIndex: '0',
            SubnetId: ref(node.subnet),
            GroupSet: [ref('NodeSecurityGroup')],
            PrivateIpAddress: node.privateIp,
            AssociatePublicIpAddress: true,
          },
        ],
        UserData: { 'Fn::Base64': userData(node.id) },
        Tags: tags(node.id),
      },
    };
  }
  const out = (Description: string, Value: CfnValue) => ({ Description, Value });
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'ha-arbiter sandbox fixture: two nginx nodes behind one Elastic IP (npm run sandbox)',
    Parameters: {
      AmiId: {
        // Resolved by CloudFormation at deploy time: no AMI id is written anywhere.
        Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
        Default: AMI_PARAMETER,
        Description: 'The public SSM parameter naming the current Amazon Linux 2023 arm64 AMI',
      },
      InstanceType: {
        Type: 'String',
        Default: 't4g.nano',
        AllowedValues: ['t4g.nano', 't4g.micro', 't4g.small'],
        Description: 'arm64 (the AMI is arm64)',
      },
      OperatorCidr: {
        Type: 'String',
        AllowedPattern: '^(\\d{1,3}\\.){3}\\d{1,3}/(3[0-2]|[12]?\\d)$',
        Description: 'Who may reach the nodes on port 80 besides the probers (the drill machine, x.x.x.x/32)',
      },
      ArbiterStackName: {
        Type: 'String',
        Default: ARBITER_STACK,
        Description: 'The arbiter stack whose alert topic may send to the alert queue',
      },
    },
    Resources: resources,
    Outputs: {
      [Outputs.vpc]: out('The VPC (config: vpc)', ref('Vpc')),
      [Outputs.subnetA]: out('Vantage az-a (config: vantages[0].subnet)', ref('SubnetA')),
      [Outputs.subnetB]: out('Vantage az-b (config: vantages[1].subnet)', ref('SubnetB')),
      [Outputs.routeTable]: out(
        'The route table of both subnets (config: vantages[].routeTable)',
        ref('RouteTable'),
      ),
      [Outputs.node1]: out('lb-1 (config: nodes[0].instanceId)', ref('Node1')),
      [Outputs.node2]: out('lb-2 (config: nodes[1].instanceId)', ref('Node2')),
      [Outputs.node1Ip]: out('lb-1 private IP (config: nodes[0].address)', getAtt('Node1', 'PrivateIp')),
      [Outputs.node2Ip]: out('lb-2 private IP (config: nodes[1].address)', getAtt('Node2', 'PrivateIp')),
      [Outputs.allocation]: out(
        'The Elastic IP (config: resources[0].allocationId)',
        getAtt('ElasticIp', 'AllocationId'),
      ),
      [Outputs.publicIp]: out('The address clients use (the drill measures through it)', ref('ElasticIp')),
      [Outputs.queueUrl]: out('Alerts arrive here (the drill reads them)', ref('AlertQueue')),
      [Outputs.queueArn]: out('Subscribed to the arbiter topic by up', getAtt('AlertQueue', 'Arn')),
    },
  };
}

function subnet(cidr: string, availabilityZone: CfnValue, name: string) {
  return {
    Type: 'AWS::EC2::Subnet',
    Properties: {
      VpcId: ref('Vpc'),
      CidrBlock: cidr,
      AvailabilityZone: availabilityZone,
      MapPublicIpOnLaunch: true,
      Tags: tags(`subnet-${name}`),
    },
  };
}
