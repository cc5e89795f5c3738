import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AMI_PARAMETER,
  ARBITER_STACK,
  FIXTURE_NODES,
  fixtureTemplate,
  Outputs,
  SANDBOX_TAG,
  userData,
  VPC_CIDR,
} from '../../infra/sandbox/fixture';
import { sandboxConfig } from '../../scripts/sandbox/config';
import { osls, SERVICE_DIR } from './helpers/osls';

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
}

const template = JSON.parse(JSON.stringify(fixtureTemplate())) as {
  Parameters: Record<string, { Type: string; Default?: string; AllowedPattern?: string }>;
  Resources: Record<string, Resource>;
  Outputs: Record<string, { Value: unknown }>;
};
const resources = template.Resources;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const props = (id: string) => resources[id]!.Properties;

/** Every `Ref` and `Fn::GetAtt` target anywhere in a value. */
function references(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) references(v, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') out.push(v);
      else if (k === 'Fn::GetAtt' && Array.isArray(v)) out.push(String(v[0]));
      else references(v, out);
    }
  }
  return out;
}

describe('The sandbox fixture template', () => {
  it('has a VPC with two subnets in two different AZs, an internet gateway and a default route', () => {
    expect(ofType('AWS::EC2::VPC')).toHaveLength(1);
    expect(props('Vpc').CidrBlock).toBe(VPC_CIDR);
    const subnets = ofType('AWS::EC2::Subnet');
    expect(subnets).toHaveLength(2);
    const azs = subnets.map(([, s]) => JSON.stringify(s.Properties.AvailabilityZone));
    expect(new Set(azs).size).toBe(2);
    expect(azs.every((a) => a.includes('Fn::GetAZs'))).toBe(true);
    expect(ofType('AWS::EC2::InternetGateway')).toHaveLength(1);
    expect(props('GatewayAttachment')).toEqual({
      VpcId: { Ref: 'Vpc' },
      InternetGatewayId: { Ref: 'InternetGateway' },
    });
    expect(props('DefaultRoute')).toMatchObject({
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: { Ref: 'InternetGateway' },
    });
    const associated = ofType('AWS::EC2::SubnetRouteTableAssociation').map(([, a]) => a.Properties.SubnetId);
    expect(associated).toEqual([{ Ref: 'SubnetA' }, { Ref: 'SubnetB' }]);
  });

  it('runs two t4g.nano nodes from the AMI of the public SSM parameter, one per subnet', () => {
    expect(template.Parameters.AmiId).toMatchObject({
      Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
      Default: AMI_PARAMETER,
    });
    expect(AMI_PARAMETER).toBe('/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64');
    expect(template.Parameters.InstanceType!.Default).toBe('t4g.nano');
    const instances = ofType('AWS::EC2::Instance');
    expect(instances.map(([id]) => id)).toEqual(FIXTURE_NODES.map((n) => n.logicalId));
    const subnets = new Set<string>();
    for (const [id, instance] of instances) {
      expect(instance.Properties.ImageId, id).toEqual({ Ref: 'AmiId' });
      expect(instance.Properties.InstanceType, id).toEqual({ Ref: 'InstanceType' });
      const [eni] = instance.Properties.NetworkInterfaces as Array<Record<string, unknown>>;
      expect(eni).toMatchObject({ DeviceIndex: '0', AssociatePublicIpAddress: true });
      subnets.add(JSON.stringify(eni!.SubnetId));
      expect(instance.DependsOn, id).toContain('DefaultRoute');
    }
    expect(subnets.size).toBe(2);
  });

  it('writes no AMI id anywhere', () => {
    expect(JSON.stringify(template)).not.toMatch(/ami-[0-9a-f]{8,}/);
  });

  it('serves /healthz from nginx installed by user data, naming the node in x-served-by', () => {
    for (const node of FIXTURE_NODES) {
      const encoded = props(node.logicalId).UserData as { 'Fn::Base64': string };
      const script = encoded['Fn::Base64'];
      expect(script).toBe(userData(node.id));
      expect(script).toContain('dnf install -y nginx');
      expect(script).toContain('location = /healthz');
      expect(script).toContain(`x-served-by ${node.id}`);
      expect(script).toContain('systemctl enable --now nginx');
    }
  });

  it('makes the nodes SSM-managed through an instance profile with AmazonSSMManagedInstanceCore', () => {
    expect(props('NodeRole').ManagedPolicyArns).toEqual([
      { 'Fn::Sub': `arn:\${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore` },
    ]);
    expect(props('NodeInstanceProfile').Roles).toEqual([{ Ref: 'NodeRole' }]);
    for (const node of FIXTURE_NODES)
      expect(props(node.logicalId).IamInstanceProfile).toEqual({ Ref: 'NodeInstanceProfile' });
  });

  it('allows port 80 only from the VPC and from the operator address', () => {
    const ingress = props('NodeSecurityGroup').SecurityGroupIngress as Array<Record<string, unknown>>;
    expect(ingress.map((r) => [r.IpProtocol, r.FromPort, r.ToPort, r.CidrIp])).toEqual([
      ['tcp', 80, 80, VPC_CIDR],
      ['tcp', 80, 80, { Ref: 'OperatorCidr' }],
    ]);
    const pattern = new RegExp(template.Parameters.OperatorCidr!.AllowedPattern as string);
    expect(pattern.test('198.51.100.7/32')).toBe(true);
    expect(pattern.test('0.0.0.0/0')).toBe(true);
    expect(pattern.test('198.51.100.7')).toBe(false);
  });

  it('puts one Elastic IP on the first node', () => {
    const eips = ofType('AWS::EC2::EIP');
    expect(eips).toHaveLength(1);
    expect(eips[0]![1].Properties).toMatchObject({
      Domain: 'vpc',
      InstanceId: { Ref: FIXTURE_NODES[0].logicalId },
    });
  });

  it('lets only the arbiter stack topics send to the alert queue', () => {
    const policy = props('AlertQueuePolicy').PolicyDocument as { Statement: Array<Record<string, unknown>> };
    expect(policy.Statement).toHaveLength(1);
    expect(policy.Statement[0]).toMatchObject({
      Effect: 'Allow',
      Principal: { Service: 'sns.amazonaws.com' },
      Action: 'sqs:SendMessage',
      Condition: {
        ArnLike: {
          'aws:SourceArn': {
            'Fn::Sub': `arn:\${AWS::Partition}:sns:\${AWS::Region}:\${AWS::AccountId}:\${ArbiterStackName}-*`,
          },
        },
      },
    });
    expect(template.Parameters.ArbiterStackName!.Default).toBe(ARBITER_STACK);
  });

  it('tags every taggable resource as sandbox, with a name', () => {
    const taggable = Object.entries(resources).filter(([, r]) => 'Tags' in r.Properties);
    expect(taggable.length).toBeGreaterThanOrEqual(10);
    for (const [id, r] of taggable) {
      const tags = r.Properties.Tags as Array<{ Key: string; Value: unknown }>;
      expect(tags, id).toContainEqual(SANDBOX_TAG);
      expect(
        tags.map((t) => t.Key),
        id,
      ).toContain('Name');
    }
    const untagged = Object.entries(resources)
      .filter(([, r]) => !('Tags' in r.Properties))
      .map(([, r]) => r.Type);
    // These types take no Tags property in CloudFormation.
    for (const type of untagged)
      expect([
        'AWS::EC2::VPCGatewayAttachment',
        'AWS::EC2::Route',
        'AWS::EC2::SubnetRouteTableAssociation',
        'AWS::IAM::InstanceProfile',
        'AWS::SQS::QueuePolicy',
      ]).toContain(type);
  });

  it('outputs every id the arbiter config needs, each from a resource of the template', () => {
    expect(Object.keys(template.Outputs).sort()).toEqual(Object.values(Outputs).sort());
    const parameters = new Set(Object.keys(template.Parameters));
    for (const [name, output] of Object.entries(template.Outputs)) {
      const targets = references(output.Value);
      expect(targets.length, name).toBeGreaterThan(0);
      for (const t of targets) expect(resources[t] ?? parameters.has(t), `${name} -> ${t}`).toBeTruthy();
    }
  });

  it('refers only to resources and parameters it declares', () => {
    const known = new Set([...Object.keys(resources), ...Object.keys(template.Parameters)]);
    for (const [id, r] of Object.entries(resources)) {
      for (const t of references(r.Properties)) expect(known.has(t), `${id} -> ${t}`).toBe(true);
      for (const d of r.DependsOn ?? []) expect(known.has(d), `${id} depends on ${d}`).toBe(true);
    }
  });
});

describe('The arbiter stack with the config up writes', () => {
  const config = `arbiter.sandbox-test-${process.pid}.yml`;
  const out = mkdtempSync(join(tmpdir(), 'ha-arbiter-sandbox-package-'));
  afterAll(() => {
    rmSync(join(SERVICE_DIR, config), { force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('packages offline for stage sandbox, probers in the fixture subnets, the endpoint on its route table', async () => {
    const outputs: Record<string, string> = {
      [Outputs.vpc]: 'vpc-0a1b2c3d4e5f60000',
      [Outputs.subnetA]: 'subnet-0a1b2c3d4e5f60001',
      [Outputs.subnetB]: 'subnet-0a1b2c3d4e5f60002',
      [Outputs.routeTable]: 'rtb-0a1b2c3d4e5f60001',
      [Outputs.node1]: 'i-0a1b2c3d4e5f60001',
      [Outputs.node2]: 'i-0a1b2c3d4e5f60002',
      [Outputs.node1Ip]: FIXTURE_NODES[0].privateIp,
      [Outputs.node2Ip]: FIXTURE_NODES[1].privateIp,
      [Outputs.allocation]: 'eipalloc-0a1b2c3d4e5f60001',
      [Outputs.publicIp]: '198.51.100.20',
      [Outputs.queueUrl]: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q',
      [Outputs.queueArn]: 'arn:aws:sqs:eu-west-1:123456789012:q',
    };
    const enis = { 'lb-1': 'eni-0a1b2c3d4e5f60001', 'lb-2': 'eni-0a1b2c3d4e5f60002' };
    writeFileSync(join(SERVICE_DIR, config), sandboxConfig(outputs, enis).text);
    const run = await osls([
      'package',
      '--stage',
      'sandbox',
      '--region',
      'eu-west-1',
      `--param=config=${config}`,
      '--package',
      out,
    ]);
    expect(run.code, run.output).toBe(0);
    const packaged = JSON.parse(
      readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as {
      Resources: Record<string, Resource>;
    };
    const probers = Object.values(packaged.Resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        JSON.stringify(r.Properties.Handler) === '"functions/probe.handler"',
    );
    expect(probers.map((p) => (p.Properties.VpcConfig as { SubnetIds: string[] }).SubnetIds).sort()).toEqual([
      ['subnet-0a1b2c3d4e5f60001'],
      ['subnet-0a1b2c3d4e5f60002'],
    ]);
    expect(packaged.Resources.DynamoDbGatewayEndpoint?.Properties.RouteTableIds).toEqual([
      'rtb-0a1b2c3d4e5f60001',
    ]);
  }, 300_000);
});
