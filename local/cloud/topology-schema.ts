import { z } from 'zod';
import { isIpv4, parseCidr } from './util/cidr';

/**
 * The zod schema of a topology file. Every object is `.strict()` so a typo in a
 * YAML key fails loudly instead of silently falling back to a default.
 * Cross-references (subnet ids, ENI ids, CIDR membership) are checked afterwards
 * in `topology-checks.ts`, where whole-world context is available.
 */

const awsId = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), `must look like ${prefix}-0123456789abcdef0`);

/** Id shapes as AWS prints them (8 or 17 lowercase hex digits after the prefix). */
export const Ids = {
  vpc: awsId('vpc'),
  subnet: awsId('subnet'),
  instance: awsId('i'),
  eni: awsId('eni'),
  allocation: awsId('eipalloc'),
  eipAssociation: awsId('eipassoc'),
  routeTable: awsId('rtb'),
  routeTableAssociation: awsId('rtbassoc'),
  vpcEndpoint: awsId('vpce'),
} as const;

/** An AWS-managed prefix list id, e.g. `pl-02cd2c6b` (DynamoDB in us-east-1). */
const prefixListId = z.string().regex(/^pl-[0-9a-f]{8,17}$/, 'must look like pl-02cd2c6b');

const ipv4 = z.string().refine(isIpv4, 'must be a dotted-quad IPv4 address');
const cidr = z
  .string()
  .refine((text) => parseCidr(text) !== undefined, 'must be an IPv4 CIDR block like 10.0.1.0/24');
const availabilityZone = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 'must look like us-east-1a');

/** Only loopback: node servers and probes must never reach a real network. */
const loopbackEndpoint = z
  .string()
  .regex(/^127\.0\.0\.1:\d{1,5}$/, 'must be 127.0.0.1:PORT')
  .refine((text) => {
    const port = Number(text.split(':')[1]);
    return port >= 1 && port <= 65535;
  }, 'port must be between 1 and 65535');

/**
 * An instance's endpoint: any loopback address, so a node the user runs (nginx on 127.0.0.2:8080)
 * can stand for an instance. Built-in node servers still listen on 127.0.0.1 only (checked in
 * topology-checks.ts).
 */
const instanceEndpoint = z
  .string()
  .regex(/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}:\d{1,5}$/, 'must be 127.x.y.z:PORT (loopback only)')
  .refine((text) => {
    const [host = '', port] = text.split(':');
    return host.split('.').every((o) => Number(o) <= 255) && Number(port) >= 1 && Number(port) <= 65535;
  }, 'must be a loopback address 127.0.0.0/8 and a port between 1 and 65535');

const statusValue = z.enum(['ok', 'impaired']);

/**
 * Route targets: `local`, an internet gateway, an ENI, an instance (resolved to its primary
 * ENI), or a gateway VPC endpoint (only for a prefix-list destination).
 */
const routeTarget = z
  .string()
  .regex(
    /^(local|igw-[0-9a-f]{8,17}|eni-[0-9a-f]{8,17}|i-[0-9a-f]{8,17}|vpce-[0-9a-f]{8,17})$/,
    'must be local, igw-..., eni-..., i-... or vpce-...',
  );

/** A route: a CIDR to any target, or a gateway endpoint route (`pl-...` via `vpce-...`). */
const RouteSchema = z
  .object({
    /** A CIDR block, or the prefix list of a gateway endpoint's service. */
    destination: z.union([cidr, prefixListId]),
    target: routeTarget,
    /** Gateway endpoint routes only: the service behind the prefix list (default dynamodb). */
    service: z.enum(['dynamodb', 's3']).optional(),
  })
  .strict();

/** An interface VPC endpoint (e.g. for EC2 or SNS), as DescribeVpcEndpoints lists it. */
const InterfaceEndpointSchema = z
  .object({
    id: Ids.vpcEndpoint,
    /** Short service name (`ec2`, `sns`) or the full `com.amazonaws.<region>.<service>`. */
    service: z.string().regex(/^[a-z0-9.-]+$/, 'must be a service name such as ec2'),
    subnets: z.array(Ids.subnet).default([]),
    state: z.enum(['available', 'pending', 'deleting', 'failed']).default('available'),
  })
  .strict();

/**
 * The NAT data path on loopback: an "outside" HTTP target, and per private subnet a forwarder
 * standing for "the outside, reached from this subnet". A forwarder passes connections on only
 * while the subnet's default route leads to a live NAT (see docs/topology.md).
 */
const EgressSchema = z
  .object({
    /** Where the outside target listens (default: a free port). */
    outside: loopbackEndpoint.optional(),
    forwarders: z
      .array(
        z
          .object({
            subnet: Ids.subnet,
            /** The address egress targets name; replaced by a free port when the stack uses ephemeral ports. */
            endpoint: loopbackEndpoint,
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

const NetworkInterfaceSchema = z
  .object({
    id: Ids.eni,
    deviceIndex: z.number().int().min(0).default(0),
    /** Defaults to the instance's subnet. */
    subnet: Ids.subnet.optional(),
    privateIp: ipv4,
    secondaryPrivateIps: z.array(ipv4).default([]),
    /** Per-ENI private IPv4 limit (AWS sets it by instance type). */
    maxPrivateIps: z.number().int().min(1).max(50).default(10),
    description: z.string().default(''),
  })
  .strict();

const InstanceSchema = z
  .object({
    id: Ids.instance,
    name: z.string().min(1),
    state: z
      .enum(['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'])
      .default('running'),
    subnet: Ids.subnet,
    instanceType: z.string().default('t3.micro'),
    imageId: z
      .string()
      .regex(/^ami-[0-9a-f]{8,17}$/)
      .default('ami-0c02fb55956c7d316'),
    sourceDestCheck: z.boolean().default(true),
    launchTime: z.union([z.iso.datetime(), z.date()]).optional(),
    /** `ok`/`impaired` for both checks, or each check on its own. */
    status: z
      .union([statusValue, z.object({ instance: statusValue, system: statusValue }).strict()])
      .default('ok'),
    /** Where this instance's node listens: the built-in node server's fixed port, or an external node. */
    endpoint: instanceEndpoint.optional(),
    /**
     * The node is a process of your own (nginx, HAProxy) listening at `endpoint`: the local cloud
     * starts no server for it, probes it there, and the front proxy forwards to it.
     */
    external: z.boolean().default(false),
    tags: z.record(z.string(), z.string()).default({}),
    networkInterfaces: z.array(NetworkInterfaceSchema).min(1),
  })
  .strict();

const ElasticIpSchema = z
  .object({
    allocationId: Ids.allocation,
    publicIp: ipv4,
    association: z
      .object({
        networkInterface: Ids.eni,
        /** Defaults to the ENI's primary private IP. */
        privateIp: ipv4.optional(),
        /** Generated when absent. */
        id: Ids.eipAssociation.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const RouteTableSchema = z
  .object({
    id: Ids.routeTable,
    name: z.string().optional(),
    main: z.boolean().default(false),
    /** Id of the main association; generated when absent. Only for `main: true`. */
    mainAssociationId: Ids.routeTableAssociation.optional(),
    routes: z.array(RouteSchema).default([]),
    associations: z
      .array(z.object({ subnet: Ids.subnet, id: Ids.routeTableAssociation.optional() }).strict())
      .default([]),
  })
  .strict();

/** A whole local-cloud world. */
export const TopologySchema = z
  .object({
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must look like us-east-1')
      .default('us-east-1'),
    accountId: z
      .string()
      .regex(/^\d{12}$/, 'must be 12 digits')
      .default('123456789012'),
    vpc: z.object({ id: Ids.vpc, cidr }).strict(),
    subnets: z
      .array(z.object({ id: Ids.subnet, cidr, az: availabilityZone, name: z.string().optional() }).strict())
      .min(1),
    instances: z.array(InstanceSchema).default([]),
    elasticIps: z.array(ElasticIpSchema).default([]),
    routeTables: z.array(RouteTableSchema).default([]),
    /** Interface endpoints; gateway endpoints come from the `pl-... -> vpce-...` routes. */
    vpcEndpoints: z.array(InterfaceEndpointSchema).default([]),
    egress: EgressSchema.optional(),
    sns: z
      .object({
        topics: z.array(z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, 'must be a topic name')).default([]),
      })
      .strict()
      .default({ topics: [] }),
    permissions: z
      .object({
        /** Access key id -> EC2 actions refused to it (`*` for all). */
        deny: z.record(z.string().min(1), z.array(z.string().regex(/^(\*|[A-Z][A-Za-z]+)$/))).default({}),
      })
      .strict()
      .default({ deny: {} }),
  })
  .strict();

/** A validated topology, with defaults filled in. */
export type Topology = z.output<typeof TopologySchema>;
/** What a topology file (or object) may contain before defaults. */
export type TopologyInput = z.input<typeof TopologySchema>;
/** One instance of a validated topology. */
export type TopologyInstance = Topology['instances'][number];
/** One network interface of a validated topology. */
export type TopologyNetworkInterface = TopologyInstance['networkInterfaces'][number];
