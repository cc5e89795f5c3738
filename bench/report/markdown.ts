import { POLICY_DEFAULTS } from '../../shared/config/defaults';
import type { BaselineModel } from '../baselines/model';
import type { KindStats, SystemStats } from '../compare';
import { PRICE_REGION, PRICE_SOURCES, PRICES_CHECKED_ON } from '../cost/prices';
import type { BenchResult } from '../run';
import type { Summary } from '../stats';

const sec = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');
const secs = (s: Summary, keys: Array<'p50' | 'p95' | 'p99'>) =>
  s.n === 0 ? 'n/a' : keys.map((k) => (s[k] / 1000).toFixed(2)).join(' / ');
const usd = (v: number) => `$${v.toFixed(2)}`;
const times = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}x` : 'n/a');
const int = (v: number) => Math.round(v).toLocaleString('en-US');

/** The live trials at the shipped defaults, next to the bench policy's. */
function defaultsText(r: BenchResult): string[] {
  const d = r.defaults;
  if (!d) return [];
  const k = d.keepalived;
  const p = d.policy;
  return [
    `#### At the shipped defaults (live, ${d.trials.ok} failovers${d.trials.failed ? `, ${d.trials.failed} failed` : ''}; ${p.intervalSeconds} s interval, ${p.timeoutMs} ms timeout, recheck ${p.recheckMs} ms, fall ${p.fall}, quorum ${p.quorum})`,
    '',
    '| system | failure | detect p50 / p95 | address moved p50 / p95 | client outage p50 / p95 / p99 |',
    '|---|---|---|---|---|',
    `| **ha-arbiter** (measured) | crash | ${secs(d.crash.detect, ['p50', 'p95'])} | ${secs(d.crash.verified, ['p50', 'p95'])} | ${secs(d.crash.outage, ['p50', 'p95', 'p99'])} |`,
    `| **ha-arbiter** (measured) | hang | ${secs(d.hang.detect, ['p50', 'p95'])} | ${secs(d.hang.verified, ['p50', 'p95'])} | ${secs(d.hang.outage, ['p50', 'p95', 'p99'])} |`,
    `| keepalived + EIP notify (model, same failures) | crash | ${secs(k.crash.detect, ['p50', 'p95'])} | ${secs(k.crash.move, ['p50', 'p95'])} | ${secs(k.crash.outage, ['p50', 'p95', 'p99'])} |`,
    `| keepalived + EIP notify (model, same failures) | hang | ${secs(k.hang.detect, ['p50', 'p95'])} | ${secs(k.hang.move, ['p50', 'p95'])} | ${secs(k.hang.outage, ['p50', 'p95', 'p99'])} |`,
    '',
    `Pooled p95 client outage: ha-arbiter ${sec(d.all.outage.p95)}, keepalived ${sec(k.all.outage.p95)} (${times(d.vsKeepalivedOutage)}).`,
    '',
  ];
}

/** Replaces the text between `<!-- bench:NAME:start -->` and its end marker (appends both if absent). */
export function replaceBetweenMarkers(doc: string, name: string, content: string): string {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${content.trim()}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  if (i < 0 || j < i) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, i) + block + doc.slice(j + end.length);
}

const SYSTEM_LABEL: Record<string, string> = {
  'ha-arbiter': '**ha-arbiter** (measured)',
  'vip-monitor': 'vip_monitor.sh (model)',
  keepalived: 'keepalived + EIP notify (model)',
  pacemaker: 'Pacemaker-style (model)',
  'nat-cron': 'NAT cron script (model)',
};

function kindRow(system: SystemStats, kind: 'crash' | 'hang', k: KindStats, ours: KindStats): string {
  const label = SYSTEM_LABEL[system.id] ?? system.name;
  if (k.trials === 0) return `| ${label} | ${kind} | not run | n/a | n/a | n/a | - |`;
  if (k.detectedShare === 0) {
    return `| ${label} | ${kind} | never (ping still answers) | n/a | n/a | outage until a person acts | - |`;
  }
  const versus = system.id === 'ha-arbiter' ? '-' : times(ours.outage.p95 / k.outage.p95);
  return `| ${label} | ${kind} | ${(k.detectedShare * 100).toFixed(0)} % | ${secs(k.detect, ['p50', 'p95'])} | ${secs(k.move, ['p50', 'p95', 'p99'])} | ${secs(k.outage, ['p50', 'p95', 'p99'])} | ${versus} |`;
}

/** The tables of docs/bench.md (the README quotes the first two). */
export function renderBenchTables(r: BenchResult): string {
  const ours = r.systems.find((s) => s.id === 'ha-arbiter') as SystemStats;
  const out: string[] = [];
  out.push(
    `Run: ${r.mode}, ${r.startedAt.slice(0, 10)}, ${r.trials.ok} automatic failovers (${r.trials.perKind} per kind${r.trials.failed ? `, ${r.trials.failed} failed` : ''}) on the local cloud; injected EC2 latency ${r.ec2.describeMs} ms per Describe, ${r.ec2.mutatingMs} ms per mutating call, ${r.ec2.propagationMs} ms propagation; policy ${r.policy.intervalSeconds} s interval, ${r.policy.timeoutMs} ms timeout, fall ${r.policy.fall}, quorum ${r.policy.quorum} of ${r.policy.vantages}. Times in seconds from the failure.`,
    '',
    '| system | failure | detected | detect p50 / p95 | address moved p50 / p95 / p99 | client outage p50 / p95 / p99 | ha-arbiter ÷ it (p95 outage) |',
    '|---|---|---|---|---|---|---|',
  );
  for (const s of r.systems) {
    const mine = (kind: 'crash' | 'hang') => (kind === 'crash' ? ours.crash : ours.hang);
    out.push(kindRow(s, 'crash', s.crash, mine('crash')));
    out.push(kindRow(s, 'hang', s.hang, mine('hang')));
  }
  out.push(
    '',
    `"Address moved" is, for ha-arbiter, the read-back that verifies the move (measured from the arbiter's own timeline); for the models, the end of their API calls. The outage is measured by a client hitting the Elastic IP through the front proxy every 50 ms (ha-arbiter) or computed as move + propagation (models).`,
    '',
    '| headline | value |',
    '|---|---|',
    `| p95 time to verified move | ${sec(r.failover.p95Ms)} |`,
    `| physical-limit line (${r.limit.formula}) | ${sec(r.limit.lineMs)} |`,
    `| p95 / limit line | ${times(r.ratio.vsLimitP95)} |`,
    `| p95 outage at the shipped defaults vs keepalived + EIP notify (crash and hang pooled) | ${times(r.ratio.vsKeepalivedOutage)} |`,
    `| p95 outage vs vip_monitor.sh (crashes) | ${times(r.ratio.vsVipMonitorOutage)} |`,
    `| p95 outage vs Pacemaker-style | ${times(r.ratio.vsPacemakerOutage)} |`,
    `| p95 outage vs NAT cron script | ${times(r.ratio.vsNatCronOutage)} |`,
    `| false failovers per 1,000 min, 5% probe loss, shipped defaults | ${r.falseFailoversPer1000Min.toFixed(2)} |`,
    `| one group, 2 vantages, 5 s, per month (list price) | ${usd(r.cost.oneGroupTwoVantage5sUsdPerMonth)} (Lambda, DynamoDB, SNS, Scheduler: ${usd(r.cost.oneGroupTwoVantage5sCoreUsdPerMonth)}) |`,
    `| each extra group, per month | ${usd(r.cost.perExtraGroupUsdPerMonth)} (core: ${usd(r.cost.perExtraGroupCoreUsdPerMonth)}) |`,
    '',
    ...defaultsText(r),
    '#### Where the time goes (medians, ms)',
    '',
    '| detect (failure -> quorum DOWN) | DOWN -> lease (stream, wake-up, first look) | lease -> AssociateAddress (re-check, mover read) | AssociateAddress -> verified | mutating EC2 calls per failover |',
    '|---|---|---|---|---|',
    `| ${int(r.failover.detect.p50)} | ${int(r.failover.segments.toLeaseMs.p50)} | ${int(r.failover.segments.leaseToCallMs.p50)} | ${int(r.failover.segments.callToVerifiedMs.p50)} | ${r.failover.mutatingCallsPerFailover.toFixed(1)} |`,
    '',
    loopBoundaryText(r),
    '',
    `#### False failovers (${int(r.falseFailovers.minutes)} simulated minutes each, ${(r.falseFailovers.lossRate * 100).toFixed(0)}% random probe loss, no real failure)`,
    '',
    '| system | setting | false failovers | per 1,000 min | also |',
    '|---|---|---|---|---|',
  );
  for (const f of r.falseFailovers.rows) {
    const also = Object.entries(f.other)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${int(v)}`)
      .join(', ');
    out.push(
      `| ${f.system} | ${f.setting} | ${int(f.failovers)} | ${f.per1000Min.toFixed(2)} | ${also || '-'} |`,
    );
  }
  const ten = r.falseFailovers.tenPercent;
  out.push(
    '',
    `At ${(ten.lossRate * 100).toFixed(0)}% random probe loss, same minutes: ${ten.rows.map((f) => `${f.system} (${f.setting}) ${int(f.failovers)} (${f.per1000Min.toFixed(2)} per 1,000 min)`).join('; ')}.`,
  );
  out.push(
    '',
    '#### Detection across prober invocations (simulated time)',
    '',
    'The real probe loop on a virtual clock, one invocation per scheduled minute as deployed, failures at uniformly random moments, two vantages, quorum 2: the later vantage decides. The bound is interval + (fall - 1) x max(timeout, recheck) + timeout (rechecks start recheck apart, or at once after a timeout), what detecting a hang would take if probing never paused.',
    '',
    '| policy | bound | crash p50 / p95 / p99 | hang p50 / p95 / p99 | later than the bound |',
    '|---|---|---|---|---|',
  );
  for (const d of r.detectionByPolicy) {
    const shipped =
      d.intervalSeconds === POLICY_DEFAULTS.intervalSeconds &&
      d.timeoutMs === POLICY_DEFAULTS.timeoutMs &&
      d.fall === POLICY_DEFAULTS.fall
        ? ' (shipped defaults)'
        : '';
    out.push(
      `| ${d.intervalSeconds} s, timeout ${d.timeoutMs} ms, recheck ${d.recheckMs} ms, fall ${d.fall}${shipped} | ${sec(d.boundMs)} | ${secs(d.crash, ['p50', 'p95', 'p99'])} | ${secs(d.hang, ['p50', 'p95', 'p99'])} | ${(d.laterThanBoundShare * 100).toFixed(1)} % |`,
    );
  }
  out.push('', '#### Goals', '', '| goal | target | this run | met |', '|---|---|---|---|');
  for (const g of r.goals)
    out.push(`| ${g.goal} | ${g.target} | ${g.actual} | ${g.met ? 'yes' : '**no**'} |`);
  out.push(
    '',
    '#### Scale',
    '',
    'Prober: the real probe loop, real HTTP probes to that many local node servers (another process), interval 5 s, 64 probes in flight; memory is the growth of the process over its start.',
    '',
    '| nodes | groups | tick p50 / p95 / p99 (ms) | max (ms) | memory growth (MB) | heap used (MB) | table writes / h (heartbeats + verdicts) | if every result were written |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const p of r.scale.prober) {
    out.push(
      `| ${p.nodes} | ${p.groups} | ${int(p.tick.p50)} / ${int(p.tick.p95)} / ${int(p.tick.p99)} | ${int(p.tick.max)} | ${p.rssGrowthMb.toFixed(1)} | ${p.heapUsedMb.toFixed(1)} | ${int(p.heartbeatWritesPerHour)} + ${int(p.verdictWritesPerHour)} | ${int(p.writesPerHourIfEveryResult)} |`,
    );
  }
  out.push(
    '',
    '| groups | decide, one pass over all groups: p50 / p99 (ms) | per group (µs) |',
    '|---|---|---|',
  );
  for (const d of r.scale.decide) {
    out.push(
      `| ${d.groups} | ${d.passMs.p50.toFixed(2)} / ${d.passMs.p99.toFixed(2)} | ${d.perGroupUs.toFixed(1)} |`,
    );
  }
  return out.join('\n');
}

function loopBoundaryText(r: BenchResult): string {
  const b = r.failover.loopBoundary;
  if (b.trials === 0)
    return 'No trial landed near the end of a prober loop; the percentiles count every trial once.';
  const redelivered = r.live.proberTicksRedelivered
    ? ` The local runtime throttled ${r.live.proberTicksRedelivered} scheduled prober tick(s) behind a loop that overran the minute and retried them, as Lambda retries a throttled event.`
    : '';
  return (
    `**The end of a prober loop.** Each prober loops from its scheduled tick until ${sec(b.startPhaseMs + r.policy.fall * r.policy.intervalSeconds * 1000 + r.policy.timeoutMs)} into the minute; a failure in its last fall x interval + timeout, or in the pause until the next loop starts, waits for that loop: ${sec(b.lengthMs)} of every minute (${(b.share * 100).toFixed(1)} %). ` +
    `Trials that follow a recovery never land there (the recovery waits for fresh UP verdicts), so every fifth trial is placed in that window at random, and the percentiles above weight the trials so that they stand for failures at uniformly random moments. ` +
    `In the window: ${b.trials} trials (${b.placed} placed), verified move p50 ${sec(b.verified.p50)}, worst ${sec(b.verified.max)}; elsewhere p50 ${sec(b.elsewhereVerified.p50)}, worst ${sec(b.elsewhereVerified.max)}. Counting every trial once, the p95 would be ${sec(r.failover.unweightedVerified.p95)}.${redelivered}`
  );
}

/** The generated part of docs/cost.md. */
export function renderCostTables(r: BenchResult): string {
  const c = r.cost;
  const u = c.usage;
  const out: string[] = [
    `Prices: ${c.region} list prices checked on ${c.pricesCheckedOn}, before any free tier (bench/cost/prices.ts has each source). Usage measured by the bench run of ${r.startedAt.slice(0, 10)}.`,
    '',
    '#### One group, two vantages, 5 s, arm64',
    '',
    '| service | item | quantity / month | USD / month |',
    '|---|---|---|---|',
  ];
  for (const l of c.breakdown) {
    const q = l.unit === 'GB' ? `${l.quantity.toFixed(3)} GB` : `${int(l.quantity)} ${l.unit}`;
    out.push(`| ${l.service} | ${l.item} | ${q} | ${usd(l.usd)} |`);
  }
  out.push(
    `| | **total** (core ${usd(c.oneGroupTwoVantage5sCoreUsdPerMonth)}) | | **${usd(c.oneGroupTwoVantage5sUsdPerMonth)}** |`,
    `| | if the account's always-free tiers are unused | | ${usd(c.oneGroupTwoVantage5sAfterFreeTierUsdPerMonth)} |`,
    `| | x86_64 instead of arm64 | | ${usd(c.oneGroupTwoVantage5sX86UsdPerMonth)} |`,
    '',
    '#### By number of groups and probe interval (two vantages)',
    '',
    '| groups | interval | arm64, all | arm64, core only | x86_64, all |',
    '|---|---|---|---|---|',
  );
  for (const t of c.table) {
    out.push(
      `| ${t.groups} | ${t.intervalSeconds} s | ${usd(t.arm64Usd)} | ${usd(t.arm64CoreUsd)} | ${usd(t.x86Usd)} |`,
    );
  }
  out.push(
    '',
    `Each extra group adds ${usd(c.perExtraGroupUsdPerMonth)} / month (${usd(c.perExtraGroupCoreUsdPerMonth)} without CloudWatch metrics and logs).`,
    '',
    '#### The usage behind it',
    '',
    '| quantity | value | source |',
    '|---|---|---|',
    `| prober billed seconds per minute at 1 / 2 / 5 / 10 / 60 s | ${['1', '2', '5', '10', '60']
      .map((k) => {
        const v = u.proberSecondsByInterval[k] ?? Number.NaN;
        return v < 1 ? v.toFixed(2) : v.toFixed(1);
      })
      .join(
        ' / ',
      )} | the real probe loop on a virtual clock, started on its schedule tick (stops with a tick's probe timeout and its 1.5 s write reserve to spare before the next scheduled invocation) |`,
    `| prober invocations measured in the live run | ${r.live.proberSeconds.n ? `${r.live.proberSeconds.p50.toFixed(1)} s median (${r.live.proberSeconds.n} loops at ${r.policy.intervalSeconds} s)` : 'none completed'} | local Lambda runtime |`,
    `| arbiter seconds per reconcile | ${u.arbiterSeconds.toFixed(2)} | median live invocation that moved nothing (with the injected Describe latency) |`,
    `| heartbeat writes | 1 per vantage every ${u.heartbeatSeconds} s, for all its groups | shipped default; live run: ${int(r.live.tableWritesPerHour.heartbeat)} / h at the bench's 5 s |`,
    `| per failover: table writes, arbiter wake-ups, SNS messages | ${u.perFailover.tableWrites.toFixed(1)}, ${u.perFailover.arbiterWakeups.toFixed(1)}, ${u.perFailover.snsMessages.toFixed(1)} | live run (writes seen through the stream: a lower bound) |`,
    `| log bytes: prober per invocation + per group; arbiter per invocation + per group | ${int(u.logBytes.proberFixed)} + ${int(u.logBytes.proberPerGroup)}; ${int(u.logBytes.arbiterFixed)} + ${int(u.logBytes.arbiterPerGroup)} | line sizes in the live run's logs + ${360} B of Lambda platform lines |`,
    '',
    '#### Against the alternatives (per month, list price, fixed part)',
    '',
    '| option | USD / month | + per GB | notes |',
    '|---|---|---|---|',
  );
  for (const a of c.alternatives) {
    out.push(
      `| ${a.name} | ${usd(a.usdPerMonth)} | ${a.usdPerGb ? `$${a.usdPerGb.toFixed(3)}` : '-'} | ${a.notes} |`,
    );
  }
  return out.join('\n');
}

/** Each baseline model's assumptions, from the models themselves. */
export function renderModelAssumptions(models: readonly BaselineModel[]): string {
  return models
    .map((m) => [`**${m.name}**`, '', ...m.assumptions.map((a) => `- ${a}`)].join('\n'))
    .join('\n\n');
}

/** The price list the cost model uses, with sources. */
export function renderPriceTable(): string {
  return [
    `${PRICE_REGION}, checked on ${PRICES_CHECKED_ON} (bench/cost/prices.ts):`,
    '',
    '| item | list price | source |',
    '|---|---|---|',
    ...PRICE_SOURCES.map((p) => `| ${p.item} | ${p.price} | ${p.url} |`),
  ].join('\n');
}
