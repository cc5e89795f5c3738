import { estimateMonthlyCost } from '../../bench/cost/model';
import { HOURS_PER_MONTH, PRICE_REGION, PRICES, PRICES_CHECKED_ON } from '../../bench/cost/prices';
import { ARBITER_DEFAULTS } from '../../shared/config/defaults';

/**
 * Prices the sandbox adds to the project's table (bench/cost/prices.ts), US East (N. Virginia),
 * on-demand, before any free tier. As published on the pages below since the dates given (the
 * public IPv4 charge started on 2024-02-01); re-check them before quoting a number.
 */
export const SANDBOX_PRICES = {
  /** https://aws.amazon.com/vpc/pricing/ (Public IPv4 address, in use or idle, Elastic IP or not: $0.005 per hour), since 2024-02-01 */
  publicIpv4Hour: 0.005,
  /** https://aws.amazon.com/ebs/pricing/ (gp3: $0.08 per GB-month), since 2020-12 */
  gp3GbMonth: 0.08,
  /** The Amazon Linux 2023 AMI's root volume (gp3). */
  rootVolumeGb: 8,
  /** https://aws.amazon.com/sqs/pricing/ (standard queue: first 1M requests a month free, then $0.40 per million) */
  sqsRequest: 0.4 / 1e6,
} as const;

/** One line of the hourly estimate. */
export interface HourlyLine {
  item: string;
  usdPerHour: number;
}

/**
 * What the sandbox costs per hour while it is up: the two nodes, their disks and public IPv4
 * addresses (the Elastic IP and the second node's own; the first node's returns while the
 * Elastic IP is elsewhere, hence three at most), the drill's queue polling, and the arbiter
 * stack itself at its 2 s probe interval (the project's cost model, spread over the hours of
 * a month as AWS bills them).
 */
export function hourlyCost(instanceType = 't4g.nano'): { lines: HourlyLine[]; totalUsdPerHour: number } {
  if (instanceType !== 't4g.nano')
    throw new Error(`no price for instance type ${instanceType} (only t4g.nano)`);
  const arbiter = estimateMonthlyCost(
    { groups: 1, vantages: 2, intervalSeconds: 2, arch: 'arm64' },
    {
      proberMemoryMb: 128,
      arbiterMemoryMb: 256,
      // docs/cost.md: a prober loop is billed ~55 s of every minute at 1-10 s intervals.
      proberSeconds: () => 55,
      arbiterSeconds: 0.35,
      heartbeatSeconds: ARBITER_DEFAULTS.heartbeatSeconds,
      failoversPerGroupMonth: 0,
      perFailover: { tableWrites: 14, arbiterWakeups: 4, snsMessages: 2 },
      logBytes: { proberFixed: 1500, proberPerGroup: 900, arbiterFixed: 600, arbiterPerGroup: 500 },
    },
  );
  const lines: HourlyLine[] = [
    { item: '2 x EC2 t4g.nano (Linux, on demand)', usdPerHour: 2 * PRICES.ec2.t4gNanoHour },
    {
      item: `2 x ${SANDBOX_PRICES.rootVolumeGb} GB gp3 root volumes`,
      usdPerHour: (2 * SANDBOX_PRICES.rootVolumeGb * SANDBOX_PRICES.gp3GbMonth) / HOURS_PER_MONTH,
    },
    {
      item: 'public IPv4: the Elastic IP + 1 node address (+1 after a failover)',
      usdPerHour: 3 * SANDBOX_PRICES.publicIpv4Hour,
    },
    // One receive a second while a drill waits; the free tier usually covers it.
    { item: 'SQS alert queue (drill polling)', usdPerHour: 3600 * SANDBOX_PRICES.sqsRequest },
    {
      item: 'arbiter stack (2 probers looping, reconcile, DynamoDB, metrics, alarms)',
      usdPerHour: arbiter.totalUsd / HOURS_PER_MONTH,
    },
  ];
  return { lines, totalUsdPerHour: lines.reduce((sum, l) => sum + l.usdPerHour, 0) };
}

/** The estimate as the CLI prints it before creating anything. */
export function costText(): string {
  const { lines, totalUsdPerHour } = hourlyCost();
  const width = Math.max(...lines.map((l) => l.item.length));
  return [
    `What the sandbox costs while it is up (list prices, ${PRICE_REGION}, before any free tier; checked ${PRICES_CHECKED_ON}):`,
    ...lines.map((l) => `  ${l.item.padEnd(width)}  $${l.usdPerHour.toFixed(4)}/h`),
    `  ${'total'.padEnd(width)}  $${totalUsdPerHour.toFixed(4)}/h  (about $${(totalUsdPerHour * 24).toFixed(2)} a day; other regions differ a little)`,
    'Nothing is charged once `npm run sandbox -- down` has finished.',
  ].join('\n');
}
