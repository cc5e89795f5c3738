import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { TABLE_ATTRIBUTES, TABLE_KEY_SCHEMA } from '../../shared/adapters/dynamo/table-schema';
import { startDynamoFront } from '../cloud/auth/dynamodb-front';
import type { LocalAuth } from '../cloud/auth/index';
import { waitForTable } from './table-ready';

/** A DynamoDB endpoint on loopback (dynalite, in memory) with the ha-arbiter table created. */
export interface LocalDynamo {
  /** The authorizing front: every local client (functions, stream poller, tests) talks to it. */
  endpoint: string;
  tableName: string;
  /** A client signing with the operator key (allowed everything). */
  client: DynamoDBClient;
  /** false: every connection is reset (DynamoDB unreachable); true: back to normal. Data is kept. */
  setAvailable(available: boolean): void;
  close(): Promise<void>;
}

/**
 * Starts dynalite on 127.0.0.1 behind an authorizing front (SigV4 against the local
 * credentials, then IAM with `dynamodb:LeadingKeys`: dynalite itself checks nothing) and
 * creates the table with the same key schema as the deployed stack (pk/sk strings). dynalite
 * has no streams: see stream-poller.ts.
 */
export async function startLocalDynamo(options: {
  auth: LocalAuth;
  tableName?: string;
  port?: number;
}): Promise<LocalDynamo> {
  const tableName = options.tableName ?? 'ha-arbiter-local';
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port: backendPort } = server.address() as AddressInfo;
  const hashKey = TABLE_KEY_SCHEMA.find((k) => k.KeyType === 'HASH')?.AttributeName ?? 'pk';
  // The front also switches outages on and off without losing the in-memory data.
  const front = await startDynamoFront({
    auth: options.auth,
    backend: { host: '127.0.0.1', port: backendPort },
    hashKeys: new Map([[tableName, hashKey]]),
    ...(options.port ? { port: options.port } : {}),
  });
  const endpoint = front.endpoint;
  const operator = options.auth.credentials.operator;
  const client = new DynamoDBClient({
    endpoint,
    region: options.auth.region,
    credentials: { accessKeyId: operator.accessKeyId, secretAccessKey: operator.secretAccessKey },
  });
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...TABLE_ATTRIBUTES],
      KeySchema: [...TABLE_KEY_SCHEMA],
    }),
  );
  await waitForTable(client, tableName);
  return {
    endpoint,
    tableName,
    client,
    setAvailable: (value: boolean) => front.setAvailable(value),
    close: async () => {
      client.destroy();
      await front.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
