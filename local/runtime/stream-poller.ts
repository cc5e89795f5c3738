import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { isVerdictRow } from '../../shared/adapters/dynamo/keys';

/** One batch of stream-shaped records, as Lambda's DynamoDB event source would deliver it. */
export type StreamListener = (records: DynamoDBRecord[]) => void;

type Row = Record<string, AttributeValue>;

/**
 * dynalite has no streams, so this polls the table with consistent scans and turns every
 * changed row into a NEW_AND_OLD_IMAGES record (INSERT, MODIFY, REMOVE), in the order the
 * changes were seen. Latency is one poll interval, comparable to a real stream's.
 */
export class StreamPoller {
  private rows = new Map<string, string>();
  private images = new Map<string, Row>();
  private timer: NodeJS.Timeout | undefined;
  private sequence = 0;
  private readonly listeners: StreamListener[] = [];
  private polling = false;
  private stopped = false;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly intervalMs = 100,
  ) {}

  onRecords(listener: StreamListener): void {
    this.listeners.push(listener);
  }

  /** Takes the current table as the baseline (no records for rows that already exist). */
  async start(): Promise<void> {
    const rows = await this.scan();
    for (const [key, row] of rows) {
      this.rows.set(key, JSON.stringify(row));
      this.images.set(key, row);
    }
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Polls once now; resolves when its records were delivered. */
  async pollOnce(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const rows = await this.scan();
      const records: DynamoDBRecord[] = [];
      for (const [key, row] of rows) {
        const text = JSON.stringify(row);
        const before = this.rows.get(key);
        if (before === text) continue;
        records.push(this.record(before === undefined ? 'INSERT' : 'MODIFY', row, this.images.get(key)));
        this.rows.set(key, text);
        this.images.set(key, row);
      }
      for (const [key, old] of this.images) {
        if (rows.has(key)) continue;
        records.push(this.record('REMOVE', undefined, old));
        this.rows.delete(key);
        this.images.delete(key);
      }
      if (records.length > 0) for (const l of this.listeners) l(records);
    } catch {
      // The table is unreachable (e.g. a fault test stopped it): try again next poll.
    } finally {
      this.polling = false;
    }
  }

  private schedule() {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      await this.pollOnce();
      this.schedule();
    }, this.intervalMs);
    this.timer.unref();
  }

  private record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', row?: Row, old?: Row): DynamoDBRecord {
    const keysOf = (r: Row) => ({ pk: r.pk, sk: r.sk }) as Record<string, AttributeValue>;
    const keyRow = (row ?? old) as Row;
    this.sequence += 1;
    return {
      eventID: `local-${this.sequence}`,
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:dynamodb:us-east-1:000000000000:table/${this.tableName}/stream/local`,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys: keysOf(keyRow) as never,
        ...(row ? { NewImage: row as never } : {}),
        ...(old ? { OldImage: old as never } : {}),
        SequenceNumber: String(this.sequence).padStart(21, '0'),
        SizeBytes: JSON.stringify(row ?? old).length,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
    };
  }

  private async scan(): Promise<Map<string, Row>> {
    const out = new Map<string, Row>();
    let start: Row | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) out.set(`${item.pk?.S}\u0000${item.sk?.S}`, item);
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }
}

/**
 * The deployed stream filter (serverless.yml): only verdict rows (pk begins with `v#` and sk
 * with `n#`) wake the arbiter; heartbeats (`v#<vantage>` / `hb`) and the arbiter's own writes
 * do not.
 */
export function passesArbiterFilter(record: DynamoDBRecord): boolean {
  return isVerdictRow(record.dynamodb?.Keys?.pk?.S, record.dynamodb?.Keys?.sk?.S);
}
