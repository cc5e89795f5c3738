import type { SystemStats } from '../compare';
import type { BenchResult } from '../run';
import type { ChartInput, DistributionRow, TimelineRow } from './chart';

const SHORT: Record<string, string> = {
  'ha-arbiter': 'ha-arbiter',
  'vip-monitor': 'vip_monitor.sh',
  pacemaker: 'Pacemaker-style',
  'nat-cron': 'NAT cron script',
};

/** The chart's data from a bench result: medians for the timeline, every trial for the distribution. */
export function chartInput(r: BenchResult): ChartInput {
  const timeline: TimelineRow[] = [];
  const distributions: DistributionRow[] = [];
  for (const s of r.systems) {
    for (const kind of ['crash', 'hang'] as const) {
      const k = s[kind];
      const label = `${SHORT[s.id] ?? s.name}, ${kind}`;
      const detected = k.detectedShare > 0 && k.outage.n > 0;
      timeline.push({
        label,
        detected,
        detectMs: k.detect.p50,
        moveMs: k.move.p50,
        outageMs: k.outage.p50,
        ...(detected
          ? {}
          : {
              note: s.id === 'vip-monitor' ? 'never detected: the hung node still answers ping' : 'no data',
            }),
      });
      distributions.push(distribution(s, kind, label));
    }
  }
  return {
    title: 'ha-arbiter failover against the old ways',
    subtitle: `${r.trials.ok} live failovers on the local cloud (EC2 ${r.ec2.describeMs} ms per Describe, ${r.ec2.mutatingMs} ms per mutation); baselines modelled on the same failures - ${r.startedAt.slice(0, 10)}`,
    timeline,
    limitMs: r.limit.lineMs,
    distributions,
  };
}

function distribution(s: SystemStats, kind: 'crash' | 'hang', label: string): DistributionRow {
  const rows = s.outages.filter((o) => o.kind === kind);
  const k = s[kind];
  return {
    label,
    values: rows.filter((o) => o.detected).map((o) => o.ms),
    p50: k.outage.p50,
    p95: k.outage.p95,
    undetected: rows.filter((o) => !o.detected).length,
    ours: s.id === 'ha-arbiter',
  };
}
