import { z } from 'zod';
import { ARBITER_DEFAULTS, HTTP_CHECK_DEFAULTS, POLICY_DEFAULTS } from './defaults';

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes (max 63)');
/**
 * AWS resource ids: the prefix, a dash and lowercase hex digits (EC2 prints 8 or 17; shorter
 * ones are accepted for hand-written test worlds), so a typo such as `eipalloc-0a1b2c3g` fails here.
 */
const awsId = (prefix: string) =>
  z
    .string()
    .regex(
      new RegExp(`^${prefix}-[0-9a-f]{1,17}$`),
      `must be ${prefix}- and up to 17 hex digits (0-9, a-f), like ${prefix}-0123456789abcdef0`,
    );
const ipv4 = z.ipv4({ message: 'must be an IPv4 address' });
const cidr = z.cidrv4({ message: 'must be an IPv4 CIDR such as 0.0.0.0/0 or 192.168.255.1/32' });
const port = z.int().min(1).max(65535);
const host = z.string().min(1).max(253);

export const StatusRangeSchema = z
  .string()
  .regex(/^\d{3}(-\d{3})?$/, {
    message: 'must be a status such as 200 or a range such as 200-399',
    abort: true,
  })
  // A reversed range matches nothing: every probe would fail and every node look DOWN.
  .refine((s) => {
    const [lo, hi = lo] = s.split('-');
    return Number(lo) <= Number(hi);
  }, 'must go from the lower status to the higher, such as 200-399');

export const HttpCheckSchema = z.strictObject({
  type: z.literal('http'),
  port: port.default(80),
  method: z.enum(['GET', 'HEAD', 'POST']).default(HTTP_CHECK_DEFAULTS.method),
  path: z.string().startsWith('/').default(HTTP_CHECK_DEFAULTS.path),
  expectStatus: StatusRangeSchema.default(HTTP_CHECK_DEFAULTS.expectStatus),
  bodyContains: z.string().min(1).max(1024).optional(),
  hostHeader: host.optional(),
  tls: z.boolean().default(HTTP_CHECK_DEFAULTS.tls),
  /** TLS without certificate verification: only when asked for by name. */
  insecureSkipTlsVerify: z.boolean().default(HTTP_CHECK_DEFAULTS.insecureSkipTlsVerify),
});

export const TcpCheckSchema = z.strictObject({
  type: z.literal('tcp'),
  port,
});

/** The check of a node itself: an HTTP(S) request or a TCP connect. */
export const DirectCheckSchema = z.discriminatedUnion('type', [HttpCheckSchema, TcpCheckSchema]);

/** One outside target of a NAT egress probe: a TCP `host` + `port`, or an HTTP(S) `url`. */
export const EgressTargetSchema = z
  .strictObject({
    host: host.optional(),
    port: port.optional(),
    url: z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }).optional(),
  })
  .refine(
    (t) =>
      t.url === undefined
        ? t.host !== undefined && t.port !== undefined
        : t.host === undefined && t.port === undefined,
    {
      message: 'give either host and port (TCP) or url (HTTP), not both',
    },
  );

/**
 * NAT health: vantages whose subnet routes through the NAT reach outside targets; the probe
 * fails when at least `minFailing` targets fail. Its verdict is about the current holder only;
 * every node (the standby before it is chosen) is also checked with `direct`.
 */
export const EgressCheckSchema = z.strictObject({
  type: z.literal('egress'),
  targets: z.array(EgressTargetSchema).min(1).max(16),
  /** Targets that must fail for the probe to fail; default: all of them. */
  minFailing: z.int().min(1).max(16).optional(),
  /** Vantages behind the NAT that run the egress probe; default: every vantage of the group. */
  from: z.array(id).min(1).optional(),
  /** How each node is checked itself. */
  direct: DirectCheckSchema,
});

export const CheckSchema = z.discriminatedUnion('type', [HttpCheckSchema, TcpCheckSchema, EgressCheckSchema]);

export const NodeSchema = z.strictObject({
  id,
  instanceId: awsId('i'),
  /** Host the probers connect to (the node's private IP on AWS; 127.0.0.x on the local cloud). */
  address: host,
  /** Overrides the check's port for this node. */
  port: port.optional(),
  /** The ENI that receives the address (elastic-ip, secondary-ip, route). */
  eni: awsId('eni').optional(),
  /** The private IP an Elastic IP is associated with; default: the ENI's primary IP. */
  privateIp: ipv4.optional(),
  /** The node's own route table (route-table-association). */
  routeTable: awsId('rtb').optional(),
  /** Subnet of the node's ENI; lets validation refuse a secondary-ip group that spans subnets. */
  subnet: awsId('subnet').optional(),
  /** Higher wins when choosing a standby. */
  priority: z.int().min(0).max(1000).default(100),
});

export const ElasticIpSchema = z.strictObject({
  kind: z.literal('elastic-ip'),
  allocationId: awsId('eipalloc'),
  /** For messages only. */
  publicIp: ipv4.optional(),
});

export const SecondaryIpSchema = z.strictObject({
  kind: z.literal('secondary-ip'),
  ip: ipv4,
});

export const RouteSchema = z.strictObject({
  kind: z.literal('route'),
  destination: cidr,
  routeTables: z.array(awsId('rtb')).min(1),
});

export const RouteTableAssociationSchema = z.strictObject({
  kind: z.literal('route-table-association'),
  subnets: z.array(awsId('subnet')).min(1),
});

export const ResourceSchema = z.discriminatedUnion('kind', [
  ElasticIpSchema,
  SecondaryIpSchema,
  RouteSchema,
  RouteTableAssociationSchema,
]);

export const PolicySchema = z.strictObject({
  intervalSeconds: z.int().min(1).max(60).default(POLICY_DEFAULTS.intervalSeconds),
  timeoutMs: z.int().min(50).max(59_000).default(POLICY_DEFAULTS.timeoutMs),
  recheckMs: z.int().min(50).max(59_000).default(POLICY_DEFAULTS.recheckMs),
  fall: z.int().min(1).max(100).default(POLICY_DEFAULTS.fall),
  rise: z.int().min(1).max(100).default(POLICY_DEFAULTS.rise),
  quorum: z.int().min(1).max(16).default(POLICY_DEFAULTS.quorum),
  staleAfterSeconds: z.int().min(5).max(3600).default(POLICY_DEFAULTS.staleAfterSeconds),
  cooldownSeconds: z.int().min(0).max(86_400).default(POLICY_DEFAULTS.cooldownSeconds),
  failback: z.enum(['manual', 'auto']).default(POLICY_DEFAULTS.failback),
  holdDownSeconds: z.int().min(0).max(86_400).default(POLICY_DEFAULTS.holdDownSeconds),
  breaker: z
    .strictObject({
      maxFailovers: z.int().min(1).max(100),
      windowSeconds: z.int().min(60).max(604_800),
    })
    .default({ ...POLICY_DEFAULTS.breaker }),
  mode: z.enum(['active', 'observe']).default(POLICY_DEFAULTS.mode),
  graceSeconds: z.int().min(0).max(3600).default(POLICY_DEFAULTS.graceSeconds),
  fence: z.enum(['none', 'stop']).default(POLICY_DEFAULTS.fence),
  drift: z.enum(['repair', 'report']).default(POLICY_DEFAULTS.drift),
});

/** The policy as a user writes it: every field optional, merged over defaults and `defaults.policy`. */
export const PolicyInputSchema = PolicySchema.partial();

/**
 * Optional SSM Run Command after a secondary-ip move, for operating systems that do not pick
 * up a reassigned secondary IP by themselves. `{ip}` and `{node}` in the commands are replaced.
 */
export const OsHookSchema = z
  .strictObject({
    /** `AWS-RunShellScript` (runs `configure`/`unconfigure`) or your own document (gets `action`, `ip`, `node`). */
    document: z
      .string()
      .regex(/^[a-zA-Z0-9_.:/-]{3,128}$/, 'must be an SSM document name such as AWS-RunShellScript')
      .default('AWS-RunShellScript'),
    /** Shell command run on the new holder, e.g. `ip addr add {ip}/24 dev eth0`. */
    configure: z.string().min(1).max(4096).optional(),
    /** Shell command run on the old holder if it is still running, e.g. `ip addr del {ip}/24 dev eth0`. */
    unconfigure: z.string().min(1).max(4096).optional(),
    timeoutSeconds: z.int().min(30).max(3600).default(60),
  })
  .refine((h) => h.document !== 'AWS-RunShellScript' || h.configure !== undefined, {
    message: 'is required with document AWS-RunShellScript',
    path: ['configure'],
  });

/**
 * A Scheduler schedule expression: `cron(minutes hours day-of-month month day-of-week year)`
 * (six fields; one of day-of-month and day-of-week must be `?`) or `rate(7 days)`. Checked
 * here so that a typo fails the config, not the deployment.
 */
export const ScheduleExpressionSchema = z.string().superRefine((s, ctx) => {
  const problem = scheduleProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

function scheduleProblem(s: string): string | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(s);
  if (rate) return Number(rate[1]) < 1 ? 'a rate must be at least 1' : undefined;
  const cron = /^cron\((.*)\)$/.exec(s);
  if (!cron) return 'must be cron(minutes hours day-of-month month day-of-week year) or rate(N days)';
  const fields = (cron[1] ?? '').trim().split(/\s+/);
  if (fields.length !== 6) {
    return `a cron expression needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`;
  }
  if (fields[2] !== '?' && fields[4] !== '?') return 'one of day-of-month and day-of-week must be ?';
  if (!fields.every((f) => /^[0-9A-Za-z*?,/#L W-]+$/.test(f)))
    return 'a field has characters cron does not accept';
  return undefined;
}

/**
 * Scheduled drills of a group (opt-in): EventBridge Scheduler starts the `drill` function at
 * `schedule`, somewhere within `windowMinutes` (spreads the drills of several groups), and the
 * drill refuses to start once the window has passed (a late delivery must not fail over at an
 * hour nobody expects).
 */
export const DrillSchema = z.strictObject({
  schedule: ScheduleExpressionSchema,
  /** IANA time zone of the cron expression; default UTC. */
  timezone: z
    .string()
    .regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/, 'must be an IANA time zone such as Europe/Berlin')
    .optional(),
  windowMinutes: z.int().min(1).max(1440).default(30),
  /** Leave the address on the standby after the drill (default: move it back). */
  stay: z.boolean().default(false),
});

export const GroupSchema = z.strictObject({
  id,
  description: z.string().max(200).optional(),
  /** Vantage ids that probe this group; default: all vantages. */
  vantages: z.array(id).min(1).optional(),
  check: CheckSchema,
  nodes: z.array(NodeSchema).min(2, 'a group needs at least 2 nodes'),
  resources: z.array(ResourceSchema).min(1, 'a group needs at least 1 resource'),
  policy: PolicyInputSchema.default({}),
  osHook: OsHookSchema.optional(),
  /** Scheduled failover drills; none by default. */
  drill: DrillSchema.optional(),
});

export const VantageSchema = z.strictObject({
  id,
  subnet: awsId('subnet'),
  /** Route table of the vantage's subnet (for the DynamoDB gateway endpoint). */
  routeTable: awsId('rtb').optional(),
});

export const ArbiterSettingsSchema = z.strictObject({
  leaseSeconds: z.int().min(10).max(900).default(ARBITER_DEFAULTS.leaseSeconds),
  historyTtlDays: z.int().min(1).max(3650).default(ARBITER_DEFAULTS.historyTtlDays),
  heartbeatSeconds: z.int().min(5).max(300).default(ARBITER_DEFAULTS.heartbeatSeconds),
  probeConcurrency: z.int().min(1).max(1024).default(ARBITER_DEFAULTS.probeConcurrency),
  maxEventAgeSeconds: z.int().min(5).max(600).default(ARBITER_DEFAULTS.maxEventAgeSeconds),
  readinessCheckSeconds: z.int().min(0).max(3600).default(ARBITER_DEFAULTS.readinessCheckSeconds),
});

export const ConfigFileSchema = z.strictObject({
  version: z.literal(1),
  vpc: awsId('vpc').optional(),
  vantages: z.array(VantageSchema).min(1),
  defaults: z.strictObject({ policy: PolicyInputSchema.default({}) }).default({ policy: {} }),
  arbiter: ArbiterSettingsSchema.default(ArbiterSettingsSchema.parse({})),
  groups: z.array(GroupSchema).min(1),
});

export type ConfigFile = z.infer<typeof ConfigFileSchema>;
export type HttpCheck = z.infer<typeof HttpCheckSchema>;
export type TcpCheck = z.infer<typeof TcpCheckSchema>;
export type Check = z.infer<typeof CheckSchema>;
export type DirectCheck = z.infer<typeof DirectCheckSchema>;
export type EgressCheck = z.infer<typeof EgressCheckSchema>;
export type EgressTarget = z.infer<typeof EgressTargetSchema>;
export type NodeConfig = z.infer<typeof NodeSchema>;
export type ResourceConfig = z.infer<typeof ResourceSchema>;
export type ElasticIpResource = z.infer<typeof ElasticIpSchema>;
export type SecondaryIpResource = z.infer<typeof SecondaryIpSchema>;
export type RouteResource = z.infer<typeof RouteSchema>;
export type RouteTableAssociationResource = z.infer<typeof RouteTableAssociationSchema>;
export type Policy = z.infer<typeof PolicySchema>;
export type VantageConfig = z.infer<typeof VantageSchema>;
export type OsHook = z.infer<typeof OsHookSchema>;
export type DrillConfig = z.infer<typeof DrillSchema>;
export type ArbiterSettings = z.infer<typeof ArbiterSettingsSchema>;

/** A group after defaults are applied: every policy field is set, vantages resolved. */
export interface GroupConfig {
  id: string;
  description?: string;
  vantages: string[];
  check: Check;
  nodes: NodeConfig[];
  resources: ResourceConfig[];
  policy: Policy;
  osHook?: OsHook;
  drill?: DrillConfig;
}

/** The validated config the rest of the code uses. */
export interface ArbiterConfig {
  version: 1;
  vpc?: string;
  vantages: VantageConfig[];
  arbiter: ArbiterSettings;
  groups: GroupConfig[];
}
