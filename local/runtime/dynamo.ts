import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { TABLE_ATTRIBUTES, TABLE_KEY_SCHEMA } from '../../shared/store/table-schema';
import { waitForTable } from './table-ready';

/** A DynamoDB endpoint on loopback (dynalite, in memory) with the ha-arbiter table created. */
export interface LocalDynamo {
  endpoint: string;
  tableName: string;
  client: DynamoDBClient;
  /** false: every connection is reset (DynamoDB unreachable); true: back to normal. Data is kept. */
  setAvailable(available: boolean): void;
  close(): Promise<void>;
}

/** Static credentials for the local cloud; dynalite and the emulators accept any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/**
 * Starts dynalite on 127.0.0.1 and creates the table with the same key schema as the
 * deployed stack (pk/sk strings). dynalite has no streams: see stream-poller.ts.
 */
export async function startLocalDynamo(
  options: { tableName?: string; port?: number } = {},
): Promise<LocalDynamo> {
  const tableName = options.tableName ?? 'ha-arbiter-local';
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port: backendPort } = server.address() as AddressInfo;
  // A TCP relay in front of dynalite, so an outage can be switched on and off without losing
  // the in-memory data.
  let available = true;
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    if (!available) {
      client.destroy();
      return;
    }
    const upstream = connect(backendPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    relay.once('error', reject);
    relay.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = relay.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
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
    setAvailable(value: boolean) {
      available = value;
      if (!value) for (const s of sockets) s.destroy();
    },
    close: async () => {
      client.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => relay.close(() => resolve()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    },
  };
}
