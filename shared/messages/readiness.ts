import type { GroupConfig } from '../config/schema';
import { EventType, Severity } from '../domain/constants';
import type { Decision } from '../domain/decide';
import type { Readiness } from '../domain/readiness';
import type { Notification } from '../ports/notifier';
import { healthSection, invokeCommand, PREFIX, statusHint } from './format';

/** What a readiness alert needs: the judgement, and the reconcile's decision for the evidence. */
export interface ReadinessNote {
  group: GroupConfig;
  readiness: Readiness;
  decision: Decision;
}

/** What to do about the first reason a group is not ready, for the person reading at 3 a.m. */
function readinessAdvice(group: GroupConfig, reason: string): string[] {
  if (reason.startsWith('DryRun')) {
    return [
      'The role of the arbiter may no longer make this call: a changed IAM policy, an SCP or a',
      'permission boundary, or a resource that was replaced. Until it is fixed a failover would fail',
      'half-way. Check what changed (CloudTrail), then prove it with:',
      `  ${invokeCommand('preflight', { format: 'text' })}`,
    ];
  }
  if (reason.startsWith('no standby')) {
    return ['Repair or start the standby; the arbiter has nowhere to move the address if the holder fails.'];
  }
  if (reason.startsWith('vantage')) {
    return [
      'Look at the prober of that vantage (its log group, its heartbeat alarm, its subnet route to DynamoDB).',
    ];
  }
  if (reason.startsWith('the resources')) {
    return [
      'Someone or something moved a resource by hand; the arbiter reports or repairs it (policy.drift).',
    ];
  }
  if (reason.startsWith('the group is paused')) {
    return [
      'Resume it when the maintenance is over:',
      `  ${invokeCommand('control', { group: group.id, action: 'resume' })}`,
    ];
  }
  if (reason.startsWith('the circuit breaker')) {
    return [
      'Find why it failed over so often, then:',
      `  ${invokeCommand('control', { group: group.id, action: 'reset' })}`,
    ];
  }
  return [];
}

/** The alert when a group stops being ready to fail over (once per episode). */
export function notReady(input: ReadinessNote): Notification {
  const { group, readiness } = input;
  const line = `${group.id} is NOT READY to fail over: ${readiness.reason}`;
  const body = [
    `${line}.`,
    '',
    'Nothing has failed yet: the address is still served. But if the holder failed now, the',
    'failover would not happen or would not complete.',
    ...(readiness.reasons.length > 1
      ? ['', 'Every reason:', ...readiness.reasons.map((r) => `  - ${r}`)]
      : []),
    ...(readiness.notes.length > 0 ? ['', 'Also:', ...readiness.notes.map((n) => `  - ${n}`)] : []),
    '',
    ...readinessAdvice(group, readiness.reason),
    ...healthSection(group, input.decision),
    ...statusHint(group),
  ].join('\n');
  return {
    group: group.id,
    event: EventType.NOT_READY,
    severity: Severity.WARNING,
    // Short enough that the DryRun answer survives SNS's 100 characters; the body has it all.
    subject: `${PREFIX} ${group.id} NOT READY: ${readiness.reason.replace(/ \([^)]*\)$/, '')}`,
    body,
  };
}

/** The alert when a group that was not ready is ready to fail over again. */
export function readyAgain(input: ReadinessNote & { was: string | undefined }): Notification {
  const { group, readiness } = input;
  const to = readiness.standby ? ` to ${readiness.standby}` : '';
  const body = [
    `${group.id} is ready to fail over again${to}: a standby is healthy, every move to it passed DryRun, every vantage is current.`,
    ...(input.was ? ['', `It was not ready because: ${input.was}`] : []),
    ...(readiness.notes.length > 0 ? ['', 'Note:', ...readiness.notes.map((n) => `  - ${n}`)] : []),
    ...healthSection(group, input.decision),
    ...statusHint(group),
  ].join('\n');
  return {
    group: group.id,
    event: EventType.READY_AGAIN,
    severity: Severity.INFO,
    subject: `${PREFIX} ${group.id} is ready to fail over again${to}`,
    body,
  };
}
