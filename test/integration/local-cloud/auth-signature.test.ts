import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeAddressesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, OPERATOR_CREDENTIALS } from '../../../local/cloud/index';
import { type LocalDynamo, startLocalDynamo } from '../../../local/runtime/dynamo';
import { signedFetch, signRequest } from '../../helpers/sigv4';
import { awsError, LB_PAIR, startCloud } from './fixtures';

type Keys = { readonly accessKeyId: string; readonly secretAccessKey: string };
const WRONG: Keys = { accessKeyId: OPERATOR_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' };
const UNKNOWN: Keys = { accessKeyId: 'AKIAUNKNOWNKEY000000', secretAccessKey: 'whatever' };
const REGION = 'us-east-1';

describe('SigV4 on the local cloud', () => {
  let cloud: LocalCloud;
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    cloud = await startCloud(LB_PAIR);
    dynamo = await startLocalDynamo({ auth: cloud.auth });
  });
  afterAll(async () => {
    await dynamo.close();
    await cloud.close();
  });

  const ec2 = (credentials: Keys) =>
    new EC2Client({ endpoint: cloud.ec2Endpoint, region: REGION, credentials, maxAttempts: 1 });
  const sns = (credentials: Keys) =>
    new SNSClient({ endpoint: cloud.snsEndpoint, region: REGION, credentials, maxAttempts: 1 });
  const ddb = (credentials: Keys, region = REGION) =>
    new DynamoDBClient({ endpoint: dynamo.endpoint, region, credentials, maxAttempts: 1 });
  const describeTable = new DescribeTableCommand({ TableName: 'ha-arbiter-local' });

  it('accepts the operator key on all three services', async () => {
    await expect(ec2(OPERATOR_CREDENTIALS).send(new DescribeAddressesCommand({}))).resolves.toBeDefined();
    await expect(sns(OPERATOR_CREDENTIALS).send(new ListTopicsCommand({}))).resolves.toBeDefined();
    await expect(ddb(OPERATOR_CREDENTIALS).send(describeTable)).resolves.toBeDefined();
  });

  it('answers EC2 calls signed with the wrong secret with 403 SignatureDoesNotMatch', async () => {
    const err = await awsError(ec2(WRONG).send(new DescribeAddressesCommand({})));
    expect(err).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
    expect(err.message).toContain('The request signature we calculated does not match');
  });

  it('answers EC2 calls with an unknown key with 401 AuthFailure', async () => {
    expect(await awsError(ec2(UNKNOWN).send(new DescribeAddressesCommand({})))).toEqual({
      name: 'AuthFailure',
      status: 401,
      message: 'AWS was not able to validate the provided access credentials',
    });
  });

  it('answers an unsigned EC2 request as EC2 does: the access key parameter is missing', async () => {
    const res = await fetch(`${cloud.ec2Endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeAddresses&Version=2016-11-15',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(
      '<Code>MissingParameter</Code><Message>The request must contain the parameter AWSAccessKeyId</Message>',
    );
  });

  it('answers SNS with SignatureDoesNotMatch, InvalidClientTokenId and MissingAuthenticationToken (403)', async () => {
    expect(await awsError(sns(WRONG).send(new ListTopicsCommand({})))).toMatchObject({
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
    expect(await awsError(sns(UNKNOWN).send(new ListTopicsCommand({})))).toEqual({
      name: 'InvalidClientTokenId',
      status: 403,
      message: 'The security token included in the request is invalid.',
    });
    const res = await fetch(`${cloud.snsEndpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=ListTopics',
    });
    expect(res.status).toBe(403);
    const xml = await res.text();
    expect(xml).toContain('<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">');
    expect(xml).toContain('<Code>MissingAuthenticationToken</Code>');
  });

  it('answers DynamoDB with InvalidSignature, UnrecognizedClient and MissingAuthenticationToken (400)', async () => {
    expect(await awsError(ddb(WRONG).send(describeTable))).toMatchObject({
      name: 'InvalidSignatureException',
      status: 400,
    });
    expect(await awsError(ddb(UNKNOWN).send(describeTable))).toMatchObject({
      name: 'UnrecognizedClientException',
      status: 400,
    });
    const res = await fetch(dynamo.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.DescribeTable',
      },
      body: JSON.stringify({ TableName: 'ha-arbiter-local' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      __type: 'com.amazon.coral.service#MissingAuthenticationTokenException',
    });
  });

  it('refuses a signature scoped to another region', async () => {
    const err = await awsError(ddb(OPERATOR_CREDENTIALS, 'eu-west-1').send(describeTable));
    expect(err.name).toBe('InvalidSignatureException');
    expect(err.message).toContain("Credential should be scoped to a valid region, not 'eu-west-1'");
  });

  it('tolerates a clock 4 minutes off and refuses one 6 minutes off (SNS, DynamoDB)', async () => {
    const at = (minutes: number) => new Date(Date.now() + minutes * 60_000);
    const listTopics = (minutes: number) =>
      signedFetch({
        endpoint: `${cloud.snsEndpoint}/`,
        service: 'sns',
        region: REGION,
        credentials: OPERATOR_CREDENTIALS,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=ListTopics',
        signingDate: at(minutes),
      });
    expect((await listTopics(-4)).status).toBe(200);
    expect((await listTopics(4)).status).toBe(200);
    const late = await listTopics(-6);
    expect(late.status).toBe(403);
    expect(await late.text()).toMatch(
      /<Code>SignatureDoesNotMatch<\/Code><Message>Signature expired: \d{8}T\d{6}Z is now earlier than/,
    );

    const ahead = await signedFetch({
      endpoint: dynamo.endpoint,
      service: 'dynamodb',
      region: REGION,
      credentials: OPERATOR_CREDENTIALS,
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.DescribeTable',
      },
      body: JSON.stringify({ TableName: 'ha-arbiter-local' }),
      signingDate: at(6),
    });
    expect(ahead.status).toBe(400);
    expect(await ahead.json()).toMatchObject({
      __type: 'com.amazon.coral.service#InvalidSignatureException',
    });
  });

  it('answers an EC2 request signed 20 minutes ago with RequestExpired', async () => {
    const res = await signedFetch({
      endpoint: `${cloud.ec2Endpoint}/`,
      service: 'ec2',
      region: REGION,
      credentials: OPERATOR_CREDENTIALS,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeAddresses&Version=2016-11-15',
      signingDate: new Date(Date.now() - 20 * 60_000),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>RequestExpired</Code>');
  });

  it('refuses a body or query changed after signing, and takes signed GET queries', async () => {
    const request = {
      endpoint: `${cloud.ec2Endpoint}/`,
      service: 'ec2' as const,
      region: REGION,
      credentials: OPERATOR_CREDENTIALS,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeAddresses&Version=2016-11-15',
    };
    const { url, init } = await signRequest(request);
    expect((await fetch(url, init)).status).toBe(200);
    const tampered = await fetch(url, { ...init, body: 'Action=DescribeInstances&Version=2016-11-15' });
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');

    const get = await signRequest({
      ...request,
      endpoint: `${cloud.ec2Endpoint}/?Action=DescribeAddresses&Version=2016-11-15&Filter.1.Name=public-ip&Filter.1.Value.1=203.0.113.10`,
      method: 'GET',
      body: undefined,
      headers: {},
    });
    expect((await fetch(get.url, get.init)).status).toBe(200);
    const changedQuery = await fetch(get.url.replace('203.0.113.10', '203.0.113.11'), get.init);
    expect(changedQuery.status).toBe(403);
  });
});
