import type { ArbiterConfig, GroupConfig } from '../config/schema';
import { EventType, Severity } from '../domain/constants';
import { messageOf } from '../domain/errors';
import type { Verdict } from '../domain/model';
import type { Log } from '../ports/log';
import type { Notification, Notifier } from '../ports/notifier';
import type { GroupSnapshot, GroupStore } from '../ports/store';

/**
 * The dead-man's switch of the probers, kept by the arbiter. Every reconcile already reads each
 * vantage's rows with their `seenAt` raised to the vantage's heartbeat, so a vantage whose
 * newest row is older than the group's `staleAfterSeconds` has stopped probing (its Lambda
 * fails, times out, is throttled, or lost its route to DynamoDB). The arbiter says so once when
 * the vantage goes silent and once when it is back: no CloudWatch alarm or custom metric per
 * vantage is needed for it.
 */

const ALERT_PREFIX = 'vantage-silent:';

/** What the switch needs from the arbiter. */
export interface VantageWatchDeps {
  config: ArbiterConfig;
  store: Pick<GroupStore, 'setAlert'>;
  notifier: Notifier;
  log: Log;
}

/** One vantage of a group as the arbiter last heard from it. */
export interface VantageHearing {
  vantage: string;
  /** Newest `seenAt` among its rows of the group; undefined when it has written none. */
  lastSeenAt: number | undefined;
  silent: boolean;
}

/**
 * Which vantages of the group are silent at `now`: none of their rows was confirmed within
 * the group's `staleAfterSeconds` (the age after which the decision stops counting them).
 * Pure: the same inputs give the same answer.
 */
export function hearVantages(
  group: GroupConfig,
  verdicts: readonly Verdict[],
  now: number,
): VantageHearing[] {
  const staleMs = group.policy.staleAfterSeconds * 1000;
  return group.vantages.map((vantage) => {
    let lastSeenAt: number | undefined;
    for (const v of verdicts) {
      if (v.group !== group.id || v.vantage !== vantage) continue;
      if (lastSeenAt === undefined || v.seenAt > lastSeenAt) lastSeenAt = v.seenAt;
    }
    return { vantage, lastSeenAt, silent: lastSeenAt === undefined || now - lastSeenAt > staleMs };
  });
}

/**
 * The vantages this group speaks for: each vantage is watched by the first group of the config
 * that it probes, so a vantage probing ten groups is announced once, not ten times.
 */
export function watchedVantages(config: ArbiterConfig, group: GroupConfig): string[] {
  return group.vantages.filter((v) => config.groups.find((g) => g.vantages.includes(v))?.id === group.id);
}

/**
 * Opens or closes the group's `vantage-silent:<id>` alert for each vantage it watches where the
 * snapshot's alert disagrees with what the arbiter hears (so a steady state costs no write),
 * and publishes only when this call changed it. The alert write is conditional (setAlert), so two
 * arbiters running at once announce a transition once:
 *
 *   arbiter A: reads, az-a silent ─ setAlert(open) succeeds ─ publishes "silent"
 *   arbiter B: reads, az-a silent ─ setAlert(open) finds it open, returns false ─ stays quiet
 *
 * A failed alert write or publish is logged and retried on the next reconcile: the alert is
 * opened before publishing, so a lost publish is not repeated, which is the same trade the
 * other once-per-transition alerts make.
 */
export async function watchVantageSilence(
  deps: VantageWatchDeps,
  group: GroupConfig,
  snapshot: GroupSnapshot,
  now: number,
): Promise<void> {
  const watched = new Set(watchedVantages(deps.config, group));
  for (const hearing of hearVantages(group, snapshot.verdicts, now)) {
    if (!watched.has(hearing.vantage)) continue;
    const key = `${ALERT_PREFIX}${hearing.vantage}`;
    if ((snapshot.state.alerts[key] !== undefined) === hearing.silent) continue;
    try {
      const value = hearing.silent ? String(hearing.lastSeenAt ?? 0) : undefined;
      if (!(await deps.store.setAlert(group.id, key, value))) continue;
      await deps.notifier.publish(vantageNotification(deps.config, group, hearing, now));
    } catch (error) {
      deps.log.error('vantage silence alert failed', { vantage: hearing.vantage, error: messageOf(error) });
    }
  }
}

/** The message for a vantage going silent or coming back. */
export function vantageNotification(
  config: ArbiterConfig,
  group: GroupConfig,
  hearing: VantageHearing,
  now: number,
): Notification {
  const groups = config.groups.filter((g) => g.vantages.includes(hearing.vantage)).map((g) => g.id);
  const last =
    hearing.lastSeenAt === undefined
      ? 'it has written no verdict yet'
      : `its last confirmed verdict is ${Math.round((now - hearing.lastSeenAt) / 1000)} s old (${new Date(hearing.lastSeenAt).toISOString()})`;
  const subject = hearing.silent
    ? `[ha-arbiter] vantage ${hearing.vantage} SILENT: its verdicts no longer count`
    : `[ha-arbiter] vantage ${hearing.vantage} reporting again`;
  const body = hearing.silent
    ? [
        `The prober of vantage ${hearing.vantage} has not confirmed its verdicts for more than ${group.policy.staleAfterSeconds} s: ${last}.`,
        `Its verdicts no longer count toward quorum in ${groups.join(', ')}; with fewer fresh vantages than the quorum, the arbiter keeps the address where it is (UNKNOWN) rather than move it.`,
        `Look at the prober's logs and errors (function probe-${hearing.vantage}): timeouts, throttles, or no route to DynamoDB from its subnet.`,
      ]
    : [
        `The prober of vantage ${hearing.vantage} confirms its verdicts again; they count toward quorum in ${groups.join(', ')}.`,
      ];
  return {
    group: group.id,
    event: EventType.VANTAGE_SILENT,
    severity: hearing.silent ? Severity.WARNING : Severity.INFO,
    subject,
    body: body.join('\n'),
  };
}
