import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * Waits until a new table is ACTIVE: dynalite, like DynamoDB, answers CreateTable before the
 * table takes writes, and a first write in that gap fails with ResourceNotFoundException.
 */
export async function waitForTable(
  client: DynamoDBClient,
  tableName: string,
  timeoutMs = 10_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const out = await client.send(new DescribeTableCommand({ TableName: tableName })).catch(() => undefined);
    if (out?.Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > end) throw new Error(`table ${tableName} did not become ACTIVE within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
