import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PREFIX_LIST_LOOKUP_SOURCE } from '../../infra/prefix-list';

/*
 * The inline custom resource runs as CommonJS on Lambda, requiring the runtime's SDK. Here it is
 * loaded the same way, and the CommonJS EC2 client it requires is the one mocked. CloudFormation's
 * pre-signed response URL is a local HTTP server.
 */
const require = createRequire(import.meta.url);
const { EC2Client, DescribeManagedPrefixListsCommand } =
  require('@aws-sdk/client-ec2') as typeof import('@aws-sdk/client-ec2');
const lookup = require(PREFIX_LIST_LOOKUP_SOURCE) as {
  handler: (event: Record<string, unknown>, context: { logStreamName: string }) => Promise<unknown>;
};
const ec2 = mockClient(EC2Client);

let server: Server;
let responses: Record<string, unknown>[] = [];
let url = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      responses.push({ method: req.method, ...(JSON.parse(body) as Record<string, unknown>) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  ec2.reset();
  responses = [];
});

const event = (requestType: string) => ({
  RequestType: requestType,
  ResponseURL: url,
  StackId: 'stack',
  RequestId: 'request',
  LogicalResourceId: 'DynamoDbPrefixList',
  PhysicalResourceId: requestType === 'Create' ? undefined : 'pl-02cd2c6b',
  ResourceProperties: { PrefixListName: 'com.amazonaws.us-east-1.dynamodb' },
});

describe('DynamoDB prefix list lookup', () => {
  it('answers CloudFormation with the prefix list id it finds', async () => {
    ec2.on(DescribeManagedPrefixListsCommand).resolves({ PrefixLists: [{ PrefixListId: 'pl-02cd2c6b' }] });
    await lookup.handler(event('Create'), { logStreamName: 'stream' });
    expect(ec2.commandCalls(DescribeManagedPrefixListsCommand)[0]?.args[0].input).toEqual({
      Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.us-east-1.dynamodb'] }],
    });
    expect(responses).toEqual([
      expect.objectContaining({
        method: 'PUT',
        Status: 'SUCCESS',
        PhysicalResourceId: 'pl-02cd2c6b',
        Data: { PrefixListId: 'pl-02cd2c6b' },
        RequestId: 'request',
      }),
    ]);
  });

  it('answers FAILED with the reason when no prefix list matches, instead of leaving the stack waiting', async () => {
    ec2.on(DescribeManagedPrefixListsCommand).resolves({ PrefixLists: [] });
    await lookup.handler(event('Create'), { logStreamName: 'stream' });
    expect(responses[0]).toMatchObject({ Status: 'FAILED' });
    expect(String(responses[0]?.Reason)).toContain(
      'no managed prefix list named com.amazonaws.us-east-1.dynamodb',
    );
  });

  it('answers SUCCESS on delete without calling EC2', async () => {
    await lookup.handler(event('Delete'), { logStreamName: 'stream' });
    expect(ec2.calls()).toHaveLength(0);
    expect(responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'pl-02cd2c6b' });
  });
});
