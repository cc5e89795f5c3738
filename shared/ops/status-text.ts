import { duration, shortTime } from '../domain/time';
import { invokeCommand } from '../messages/format';
import type { GroupStatus, StatusReport } from './status';
import { renderTable } from './table';

function when(iso: string | undefined, now: number): string {
  return iso ? shortTime(Date.parse(iso), now) : '-';
}

function headline(g: GroupStatus, now: number): string {
  const b = g.breaker;
  const window = duration(b.windowSeconds * 1000);
  const breaker = b.open
    ? `breaker OPEN since ${when(b.since, now)}`
    : `breaker closed (${b.recentFailovers}/${b.maxFailovers} failovers in ${window})`;
  const cooldown = g.cooldownUntil ? `cooldown until ${when(g.cooldownUntil, now)}` : 'no cooldown';
  const lease = g.lease.held
    ? `lease held by ${g.lease.holder} (epoch ${g.lease.epoch}, until ${when(g.lease.expiresAt, now)})`
    : `lease free (epoch ${g.lease.epoch})`;
  const mode =
    g.mode === 'active' ? 'mode active' : `mode ${g.mode.toUpperCase()} (moves nothing on its own)`;
  return `${mode} | failback ${g.failback} | ${breaker} | ${cooldown} | ${lease}`;
}

function nextLine(g: GroupStatus): string {
  const n = g.next;
  if (!n) return 'next: unknown (EC2 could not be read)';
  const move = n.to ? ` ${n.from ?? '(none)'} -> ${n.to}` : '';
  const held = n.hold ? ` [held: ${n.hold}]` : '';
  return `next: ${n.action}${move}${held} (${n.reason})`;
}

/** `readiness: READY (move to lb-2 proven by DryRun at 10:41:07Z)`, or the first reason not. */
export function readinessLine(g: GroupStatus, now: number): string {
  const r = g.readiness;
  if (!r) return 'readiness: unknown (EC2 could not be read)';
  if (r.status === 'pending') return `readiness: pending (${r.reason})`;
  if (r.status === 'not-ready') {
    const more = r.reasons.length > 1 ? ` (+${r.reasons.length - 1} more reason(s))` : '';
    return `readiness: NOT READY: ${r.reason}${more}`;
  }
  const proven = r.checkedAt ? `, proven by DryRun at ${when(r.checkedAt, now)}` : '';
  return `readiness: READY (standby ${r.standby ?? '?'}${proven})`;
}

function warnings(g: GroupStatus): string[] {
  const out: string[] = [];
  for (const r of g.resources.filter((x) => x.drift)) {
    out.push(
      `! DRIFT: ${r.resource} is on ${r.holder ?? 'no node of the group'} in EC2 but recorded on ${r.recorded}`,
    );
  }
  for (const e of g.errors) out.push(`! could not read ${e}`);
  if (g.breaker.open) {
    out.push(
      `! breaker open: reset when the cause is fixed: ${invokeCommand('control', { group: g.group, action: 'reset' })}`,
    );
  }
  for (const b of g.bans.filter((x) => x.until === null)) {
    out.push(
      `! ${b.node} is banned without expiry: ${invokeCommand('control', { group: g.group, action: 'unban', node: b.node })}`,
    );
  }
  return out;
}

function groupText(g: GroupStatus, now: number): string[] {
  const lines = [
    `${g.group}${g.description ? `: ${g.description}` : ''}`,
    `  ${headline(g, now)}`,
    `  ${nextLine(g)}`,
    `  ${readinessLine(g, now)}`,
  ];
  lines.push(...warnings(g).map((w) => `  ${w}`));
  lines.push('');
  const resources = renderTable(
    ['RESOURCE', 'EC2 HOLDER', 'RECORDED', 'DETAIL'],
    g.resources.map((r) => [r.resource, r.holder ?? '(none)', r.recorded ?? '-', r.detail]),
    80,
  );
  lines.push(...resources.map((l) => `  ${l}`), '');
  const nodes = renderTable(
    ['NODE', 'PRI', 'EC2', 'HEALTH', 'BANNED', 'HEALTHY SINCE', 'WHY'],
    g.nodes.map((n) => [
      n.id,
      String(n.priority),
      n.instance ? `${n.instance.state}${n.instance.impaired ? ' IMPAIRED' : ''}` : '?',
      n.health,
      n.bannedUntil === undefined
        ? '-'
        : n.bannedUntil === null
          ? 'no expiry'
          : `until ${when(n.bannedUntil, now)}`,
      when(n.healthySince, now),
      n.reason,
    ]),
  );
  lines.push(...nodes.map((l) => `  ${l}`), '');
  const verdictRows = g.nodes.flatMap((n) =>
    n.verdicts.map((v, i) => [
      i === 0 ? n.id : '',
      v.vantage,
      `${v.status}${v.stale ? ' (stale)' : ''}`,
      v.status === 'DOWN' ? String(v.count) : '0',
      when(v.since, now),
      `${duration(v.ageSeconds * 1000)} ago`,
      v.lastProbe
        ? v.lastProbe.ok
          ? `ok ${v.lastProbe.latencyMs}ms`
          : (v.lastProbe.error ?? 'failed')
        : '-',
      v.lastError ? `${when(v.lastError.at, now)} ${v.lastError.error}` : '-',
    ]),
  );
  if (verdictRows.length > 0) {
    const table = renderTable(
      ['NODE', 'VANTAGE', 'VERDICT', 'FAILS', 'SINCE', 'SEEN', 'LAST PROBE', 'LAST ERROR'],
      verdictRows,
      40,
    );
    lines.push(...table.map((l) => `  ${l}`), '');
  } else {
    lines.push('  (no verdicts yet: are the probers running?)', '');
  }
  const alerts = Object.keys(g.alerts);
  if (alerts.length > 0) lines.push(`  open alerts: ${alerts.join(', ')}`, '');
  if (g.history.length > 0) {
    lines.push('  RECENT EVENTS');
    const events = renderTable(
      ['AT', 'EVENT', 'SUMMARY', 'BY'],
      g.history.map((e) => [when(e.at, now), e.event, e.summary, askedBy(e)]),
      120,
    );
    lines.push(...events.slice(1).map((l) => `  ${l}`), '');
  }
  return lines;
}

/** Who asked for a manual action, and the Lambda request id to find it in CloudTrail. */
function askedBy(e: { requestedBy?: string; requestId?: string }): string {
  if (e.requestId === undefined) return e.requestedBy ?? '';
  return `${e.requestedBy ?? 'unknown'} (request ${e.requestId})`;
}

/** The status report as text for a terminal: one block per group, tables aligned. */
export function renderStatusText(report: StatusReport, now: number): string {
  const lines = [`ha-arbiter status at ${report.at}`, ''];
  for (const g of report.groups) lines.push(...groupText(g, now));
  return `${lines.join('\n').trimEnd()}\n`;
}
