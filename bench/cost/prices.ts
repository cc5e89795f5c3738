/**
 * AWS list prices used by the cost model: US East (N. Virginia), on-demand, before any free
 * tier. Checked against the pages below on 2026-11-25; prices change, so re-check them before
 * quoting a number and change them here only (every figure in docs/cost.md comes from these).
 */
export const PRICES_CHECKED_ON = '2026-11-25';
export const PRICE_REGION = 'us-east-1';

/** Hours in a month, the convention of AWS's own calculator. */
export const HOURS_PER_MONTH = 730;

export const PRICES = {
  lambda: {
    /** https://aws.amazon.com/lambda/pricing/ (first 6 billion GB-s / month tier) */
    x86GbSecond: 0.0000166667,
    /** https://aws.amazon.com/lambda/pricing/ (Arm, first 7.5 billion GB-s / month tier) */
    arm64GbSecond: 0.0000133334,
    /** https://aws.amazon.com/lambda/pricing/ ($0.20 per 1M requests, both architectures) */
    request: 0.2 / 1e6,
    /** Always-free tier per account and month: 1M requests and 400,000 GB-s (shared by every function). */
    freeRequests: 1e6,
    freeGbSeconds: 400_000,
  },
  dynamodb: {
    /** https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.625 per million write request units, Standard table class) */
    writeRequestUnit: 0.625 / 1e6,
    /** https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.125 per million read request units) */
    readRequestUnit: 0.125 / 1e6,
    /** Storage beyond the free 25 GB is $0.25/GB-month; ha-arbiter stores kilobytes, so it is left out. */
  },
  sns: {
    /** https://aws.amazon.com/sns/pricing/ ($0.50 per million publishes, first 1M free) */
    publish: 0.5 / 1e6,
    /** https://aws.amazon.com/sns/pricing/ (email: $2.00 per 100,000 notifications, first 1,000 free) */
    emailDelivery: 2.0 / 100_000,
  },
  scheduler: {
    /** https://aws.amazon.com/eventbridge/pricing/ (Scheduler: $1.00 per million invocations after 14M free / month) */
    invocation: 1.0 / 1e6,
    freeInvocations: 14e6,
  },
  cloudwatch: {
    /** https://aws.amazon.com/cloudwatch/pricing/ (custom metrics: $0.30 per metric-month for the first 10,000; EMF series count the same) */
    metricMonth: 0.3,
    /** https://aws.amazon.com/cloudwatch/pricing/ (standard-resolution alarm: $0.10 per alarm metric-month) */
    alarmMonth: 0.1,
    /** https://aws.amazon.com/cloudwatch/pricing/ (Logs, standard class: $0.50 per GB ingested) */
    logIngestGb: 0.5,
    /** Always-free tier: 10 custom metrics, 10 alarms, 5 GB of logs. */
    freeMetrics: 10,
    freeAlarms: 10,
    freeLogGb: 5,
  },
  vpc: {
    /** https://aws.amazon.com/vpc/pricing/ (NAT Gateway: $0.045 per hour and $0.045 per GB processed) */
    natGatewayHour: 0.045,
    natGatewayGb: 0.045,
    /** https://aws.amazon.com/privatelink/pricing/ (interface endpoint: $0.01 per hour per AZ, $0.01 per GB) */
    interfaceEndpointAzHour: 0.01,
    interfaceEndpointGb: 0.01,
  },
  elb: {
    /** https://aws.amazon.com/elasticloadbalancing/pricing/ (Application Load Balancer: $0.0225 per hour, $0.008 per LCU-hour) */
    albHour: 0.0225,
    albLcuHour: 0.008,
    /** https://aws.amazon.com/elasticloadbalancing/pricing/ (Network Load Balancer: $0.0225 per hour, $0.006 per NLCU-hour) */
    nlbHour: 0.0225,
    nlbLcuHour: 0.006,
  },
  ec2: {
    /** https://aws.amazon.com/ec2/pricing/on-demand/ (t4g.nano, Linux: $0.0042 per hour) */
    t4gNanoHour: 0.0042,
  },
} as const;

/** The prices above as the docs show them, each with the page it comes from. */
export const PRICE_SOURCES: ReadonlyArray<{ item: string; price: string; url: string }> = [
  {
    item: 'Lambda duration, arm64',
    price: `$${PRICES.lambda.arm64GbSecond} per GB-s`,
    url: 'https://aws.amazon.com/lambda/pricing/',
  },
  {
    item: 'Lambda duration, x86_64',
    price: `$${PRICES.lambda.x86GbSecond} per GB-s`,
    url: 'https://aws.amazon.com/lambda/pricing/',
  },
  {
    item: 'Lambda requests',
    price: `$${(PRICES.lambda.request * 1e6).toFixed(2)} per million`,
    url: 'https://aws.amazon.com/lambda/pricing/',
  },
  {
    item: 'DynamoDB on-demand writes',
    price: `$${(PRICES.dynamodb.writeRequestUnit * 1e6).toFixed(3)} per million WRU`,
    url: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  {
    item: 'DynamoDB on-demand reads',
    price: `$${(PRICES.dynamodb.readRequestUnit * 1e6).toFixed(3)} per million RRU`,
    url: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  {
    item: 'SNS publishes',
    price: `$${(PRICES.sns.publish * 1e6).toFixed(2)} per million`,
    url: 'https://aws.amazon.com/sns/pricing/',
  },
  {
    item: 'SNS email deliveries',
    price: `$${(PRICES.sns.emailDelivery * 1e5).toFixed(2)} per 100,000`,
    url: 'https://aws.amazon.com/sns/pricing/',
  },
  {
    item: 'EventBridge Scheduler',
    price: `$${(PRICES.scheduler.invocation * 1e6).toFixed(2)} per million invocations (14M free / month)`,
    url: 'https://aws.amazon.com/eventbridge/pricing/',
  },
  {
    item: 'CloudWatch custom metrics',
    price: `$${PRICES.cloudwatch.metricMonth.toFixed(2)} per metric-month`,
    url: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
  {
    item: 'CloudWatch alarms (standard)',
    price: `$${PRICES.cloudwatch.alarmMonth.toFixed(2)} per alarm-month`,
    url: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
  {
    item: 'CloudWatch Logs ingestion',
    price: `$${PRICES.cloudwatch.logIngestGb.toFixed(2)} per GB`,
    url: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
  {
    item: 'NAT Gateway',
    price: `$${PRICES.vpc.natGatewayHour} per hour + $${PRICES.vpc.natGatewayGb} per GB`,
    url: 'https://aws.amazon.com/vpc/pricing/',
  },
  {
    item: 'Interface VPC endpoint',
    price: `$${PRICES.vpc.interfaceEndpointAzHour} per hour per AZ + $${PRICES.vpc.interfaceEndpointGb} per GB`,
    url: 'https://aws.amazon.com/privatelink/pricing/',
  },
  {
    item: 'Application Load Balancer',
    price: `$${PRICES.elb.albHour} per hour + $${PRICES.elb.albLcuHour} per LCU-hour`,
    url: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
  },
  {
    item: 'Network Load Balancer',
    price: `$${PRICES.elb.nlbHour} per hour + $${PRICES.elb.nlbLcuHour} per NLCU-hour`,
    url: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
  },
  {
    item: 'EC2 t4g.nano (Linux)',
    price: `$${PRICES.ec2.t4gNanoHour} per hour`,
    url: 'https://aws.amazon.com/ec2/pricing/on-demand/',
  },
];
