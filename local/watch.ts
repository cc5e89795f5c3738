import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isVerdictRow } from '../shared/adapters/dynamo/keys';
import type { AuditEntry, PublishedMessage } from './cloud/index';
import type { LocalStack } from './stack';

/** One thing that happened in the local stack, in words. */
export type WatchEvent =
  | {
      kind: 'verdict';
      at: number;
      group: string;
      vantage: string;
      node: string;
      status: string;
      error?: string;
      count: number;
    }
  | { kind: 'lease'; at: number; group: string; owner: string | undefined; epoch: number }
  | { kind: 'recorded'; at: number; group: string; active: string; epoch: number }
  | { kind: 'ec2'; at: number; entry: AuditEntry }
  | { kind: 'sns'; at: number; message: PublishedMessage };

/**
 * Follows the local stack and turns what changes into a timeline: verdict rows and the
 * lease/state row (from the table), mutating EC2 calls (from the audit log) and SNS messages.
 */
export class StackWatcher {
  readonly events: WatchEvent[] = [];
  private readonly listeners: Array<(e: WatchEvent) => void> = [];
  private auditSeen = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;

  constructor(private readonly stack: Pick<LocalStack, 'runtime' | 'cloud' | 'topicArn'>) {
    stack.runtime.onTableChange((records) => {
      const now = Date.now();
      for (const r of records) {
        const image = r.dynamodb?.NewImage
          ? unmarshall(r.dynamodb.NewImage as Record<string, AttributeValue>)
          : undefined;
        const old = r.dynamodb?.OldImage
          ? unmarshall(r.dynamodb.OldImage as Record<string, AttributeValue>)
          : undefined;
        if (!image) continue;
        const sk = String(image.sk);
        if (isVerdictRow(String(image.pk), sk)) {
          const last = (image.evidence as Array<{ error?: string }> | undefined)?.at(-1);
          this.push({
            kind: 'verdict',
            at: Number(image.seenAt ?? now),
            group: String(image.group),
            vantage: String(image.vantage),
            node: String(image.node),
            status: String(image.status),
            count: Number(image.count ?? 0),
            ...(last?.error ? { error: last.error } : {}),
          });
        } else if (sk === 'state') {
          const group = String(image.pk).slice(2);
          if (image.moveEpoch !== old?.moveEpoch && image.active) {
            this.push({
              kind: 'recorded',
              at: now,
              group,
              active: String(image.active),
              epoch: Number(image.moveEpoch),
            });
          }
          if (image.leaseOwner !== old?.leaseOwner || image.leaseEpoch !== old?.leaseEpoch) {
            this.push({
              kind: 'lease',
              at: now,
              group,
              owner: image.leaseOwner as string | undefined,
              epoch: Number(image.leaseEpoch ?? 0),
            });
          }
        }
      }
    });
    this.unsubscribe = stack.cloud.subscribe(stack.topicArn, () => {
      const all = stack.cloud.published();
      const message = all.at(-1);
      if (message) this.push({ kind: 'sns', at: message.timestamp, message });
    });
    this.timer = setInterval(() => this.pollAudit(), 25);
    this.timer.unref();
  }

  on(listener: (e: WatchEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Resolves with the first event (from now on, or already seen after `since`) that matches. */
  waitFor<E extends WatchEvent>(
    match: (e: WatchEvent) => e is E,
    timeoutMs: number,
    since = Number.NEGATIVE_INFINITY,
  ): Promise<E> {
    const seen = this.events.find((e) => e.at >= since && match(e));
    if (seen) return Promise.resolve(seen as E);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for an event`)),
        timeoutMs,
      );
      this.listeners.push((e) => {
        if (match(e) && e.at >= since) {
          clearTimeout(timer);
          resolve(e as E);
        }
      });
    });
  }

  stop(): void {
    clearInterval(this.timer);
    this.unsubscribe();
  }

  private pollAudit() {
    const entries = this.stack.cloud.audit();
    for (const entry of entries.slice(this.auditSeen))
      this.push({ kind: 'ec2', at: entry.completedAt, entry });
    this.auditSeen = entries.length;
  }

  private push(e: WatchEvent) {
    this.events.push(e);
    for (const l of [...this.listeners]) l(e);
  }
}
