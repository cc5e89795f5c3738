import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { waitForTable } from '../../local/runtime/table-ready';
import { TABLE_ATTRIBUTES, TABLE_KEY_SCHEMA } from '../../shared/adapters/dynamo/table-schema';

/** A running dynalite with one empty ha-arbiter table. */
export interface TestDynamo {
  endpoint: string;
  client: DynamoDBClient;
  tableName: string;
  /** Creates another empty table with the same key schema (one per test keeps tests apart). */
  newTable: () => Promise<string>;
  close: () => Promise<void>;
}

let tables = 0;

async function createTable(client: DynamoDBClient): Promise<string> {
  tables += 1;
  const tableName = `ha-arbiter-test-${tables}`;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...TABLE_ATTRIBUTES],
      KeySchema: [...TABLE_KEY_SCHEMA],
    }),
  );
  await waitForTable(client, tableName);
  return tableName;
}

/**
 * Starts dynalite in memory on 127.0.0.1 (a free port) and creates a table with string keys
 * `pk` and `sk`, like the deployed one. The client is the real SDK client over HTTP.
 */
export async function startDynalite(): Promise<TestDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const tableName = await createTable(client);
  return {
    endpoint,
    client,
    tableName,
    newTable: () => createTable(client),
    close: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
