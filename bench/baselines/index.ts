import { keepalived } from './keepalived';
import type { BaselineModel } from './model';
import { natCron } from './nat-cron';
import { pacemaker } from './pacemaker';
import { vipMonitor } from './vip-monitor';

export { KEEPALIVED, keepalived, masterDownIntervalMs } from './keepalived';
export type { BaselineModel, BaselineOutcome, Ec2Timing, FailureKind, FailureScenario } from './model';
export { NAT_CRON, natCron } from './nat-cron';
export { PACEMAKER, pacemaker } from './pacemaker';
export { VIP_MONITOR, vipMonitor } from './vip-monitor';

/** The old ways, in the order the report shows them. */
export const BASELINES: readonly BaselineModel[] = [vipMonitor, keepalived, pacemaker, natCron];
