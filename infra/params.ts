import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ConfigError } from '../shared/domain/errors';

/**
 * Deploy-time parameters (`--param="name=value"`, defaults in serverless.yml `params.default`).
 * osls hands them over as strings; they are parsed once here and rejected with the parameter's
 * name, like config fields.
 */
export interface StackParams {
  /** The config file, relative to the service directory (it is shipped inside every package). */
  configPath: string;
  /** Subscribes this address to the alert topic (the recipient confirms by mail). */
  alertEmail?: string;
  /** Name of the SSM SecureString parameter holding the Slack webhook URL; subscribes notify-slack. */
  slackWebhookParameter?: string;
  /** Runs the arbiter-side functions inside the VPC, with EC2/SNS interface endpoints. */
  arbiterInVpc: boolean;
  /** An existing DynamoDB gateway endpoint on the vantages' route tables; none is created then. */
  dynamodbEndpoint?: string;
  /** The region's DynamoDB prefix list id; looked up at deploy time when not given. */
  dynamodbPrefixList?: string;
  /** Memory of each prober (it runs ~58 s a minute, so this is most of the Lambda bill). */
  proberMemoryMb: number;
  /**
   * Adds a CloudTrail trail of the failover and control invokes (who invoked, from where),
   * kept this many days in a bucket of its own (infra/audit.ts); none when unset.
   */
  auditTrailDays?: number;
  /** Adds a CloudWatch dashboard of the stack (infra/dashboard.ts). */
  dashboard: boolean;
  /**
   * `basic` (default): CloudWatch watches the functions through the free AWS/Lambda metrics and
   * the arbiter announces silent vantages itself (shared/usecases/vantage-silence.ts). `detailed`: the
   * probers also publish ProbeLatency and ProberHeartbeat per vantage (a custom metric each,
   * $0.30 a month), with a heartbeat alarm per vantage and the reconcile-error alarm.
   */
  metrics: MetricsLevel;
}

export const MetricsLevel = { BASIC: 'basic', DETAILED: 'detailed' } as const;
export type MetricsLevel = (typeof MetricsLevel)[keyof typeof MetricsLevel];

/**
 * The parameter names, as written after `--param=`. (serverless.yml's `params.local` is not one
 * of them: it is the stage `serverless invoke local --stage local` runs with against the local
 * cloud, and only replaces the functions' environment and bundle extension, never the stack.)
 */
export const PARAM_NAMES = [
  'config',
  'alertEmail',
  'slackWebhookParameter',
  'arbiterInVpc',
  'dynamodbEndpoint',
  'dynamodbPrefixList',
  'proberMemory',
  'auditTrailDays',
  'dashboard',
  'metrics',
] as const;
export type ParamName = (typeof PARAM_NAMES)[number];

export type RawParams = Partial<Record<ParamName, string | undefined>>;

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SSM_NAME = /^\/?[a-zA-Z0-9_.-]+(\/[a-zA-Z0-9_.-]+)*$/;
const VPCE = /^vpce-[0-9a-f]+$/;
const PREFIX_LIST = /^pl-[0-9a-f]+$/;

/**
 * Parses the raw parameter strings.
 * @throws ConfigError naming every bad parameter and its value.
 */
export function parseParams(raw: RawParams, serviceDir: string): StackParams {
  const issues: string[] = [];
  const text = (name: ParamName): string | undefined => {
    const value = raw[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const check = (name: ParamName, ok: (value: string) => boolean, rule: string): string | undefined => {
    const value = text(name);
    if (value !== undefined && !ok(value)) issues.push(`--param ${name} = ${JSON.stringify(value)}: ${rule}`);
    return value;
  };

  const configPath = configInside(text('config') ?? 'arbiter.yml', serviceDir, issues);
  const alertEmail = check('alertEmail', (v) => EMAIL.test(v), 'must be an email address');
  const slackWebhookParameter = check(
    'slackWebhookParameter',
    (v) => SSM_NAME.test(v) && v.length <= 1011,
    'must be an SSM parameter name such as /ha-arbiter/slack-webhook (the name, never the URL)',
  );
  const inVpc = check('arbiterInVpc', (v) => v === 'true' || v === 'false', 'must be true or false');
  const dynamodbEndpoint = check(
    'dynamodbEndpoint',
    (v) => VPCE.test(v),
    'must be a VPC endpoint id (vpce-...)',
  );
  const dynamodbPrefixList = check(
    'dynamodbPrefixList',
    (v) => PREFIX_LIST.test(v),
    'must be a prefix list id (pl-...)',
  );
  const memory = check(
    'proberMemory',
    (v) => /^\d+$/.test(v) && Number(v) >= 128 && Number(v) <= 10_240,
    'must be a whole number of MB from 128 to 10240',
  );

  const auditDays = check(
    'auditTrailDays',
    (v) => /^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 3_650,
    'must be a whole number of days from 1 to 3650 (leave it empty for no trail)',
  );
  const dashboard = check('dashboard', (v) => v === 'true' || v === 'false', 'must be true or false');
  const metrics = check(
    'metrics',
    (v) => v === MetricsLevel.BASIC || v === MetricsLevel.DETAILED,
    'must be basic or detailed',
  );

  if (issues.length > 0) throw new ConfigError('deploy parameters', issues);
  return {
    configPath,
    ...(alertEmail !== undefined ? { alertEmail } : {}),
    ...(slackWebhookParameter !== undefined ? { slackWebhookParameter } : {}),
    arbiterInVpc: inVpc === 'true',
    ...(dynamodbEndpoint !== undefined ? { dynamodbEndpoint } : {}),
    ...(dynamodbPrefixList !== undefined ? { dynamodbPrefixList } : {}),
    proberMemoryMb: memory === undefined ? 128 : Number(memory),
    ...(auditDays !== undefined ? { auditTrailDays: Number(auditDays) } : {}),
    dashboard: dashboard === 'true',
    metrics: (metrics as MetricsLevel | undefined) ?? MetricsLevel.BASIC,
  };
}

/** The config must live under the service directory: only files there can be packaged. */
function configInside(path: string, serviceDir: string, issues: string[]): string {
  const rel = relative(serviceDir, resolve(serviceDir, path));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    issues.push(
      `--param config = ${JSON.stringify(path)}: must be a file inside the service directory (${serviceDir}), because it is packaged with the functions`,
    );
    return path;
  }
  return rel.split(sep).join('/');
}
