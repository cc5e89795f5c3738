import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { exportName, runInvoke } from '../../../scripts/invoke';
import { resetContainer } from '../../../shared/runtime/container';
import { makeConfig, rawConfig } from '../../helpers/config';
import { startDynalite, type TestDynamo } from '../../helpers/dynalite';
import { awsIds, ec2World, withAwsIds } from '../../unit/ops/ec2-world';

const ec2Mock = mockClient(EC2Client);
const snsMock = mockClient(SNSClient);
const ENV = [
  'CONFIG_PATH',
  'TABLE_NAME',
  'TOPIC_ARN',
  'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'POWERTOOLS_LOG_LEVEL',
  'HA_ARBITER_USER',
] as const;
const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));

let dynamo: TestDynamo;
let dir: string;
let world: ReturnType<typeof ec2World>;

beforeAll(async () => {
  dynamo = await startDynalite();
  dir = mkdtempSync(join(tmpdir(), 'ha-arbiter-invoke-'));
  const configPath = join(dir, 'arbiter.yml');
  const raw = rawConfig();
  withAwsIds(raw.groups[0]!);
  writeFileSync(configPath, stringify(raw));
  Object.assign(process.env, {
    CONFIG_PATH: configPath,
    TABLE_NAME: dynamo.tableName,
    TOPIC_ARN: 'arn:aws:sns:us-east-1:000000000000:ha-arbiter',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    HA_ARBITER_USER: 'carol@desk',
  });
  resetContainer();
  world = ec2World(ec2Mock, makeConfig((r) => withAwsIds(r.groups[0]!)).groups[0]!, 'lb-1');
  snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });
});

afterAll(async () => {
  resetContainer();
  ec2Mock.restore();
  snsMock.restore();
  for (const k of ENV) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  rmSync(dir, { recursive: true, force: true });
  await dynamo.close();
});

describe('npm run invoke', () => {
  it('maps a function name to its use-case export', () => {
    expect(exportName('notify-slack')).toBe('notifySlack');
    expect(exportName('failover')).toBe('failover');
  });

  it('prints status as text for a terminal', async () => {
    const out = await runInvoke(['status', '{"format":"text"}']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^ha-arbiter status at \d{4}-\d\d-\d\dT/);
    expect(out.stdout).toMatch(
      new RegExp(`  elastic-ip ${awsIds(1).allocationId} +lb-1 +- +203\\.0\\.113\\.10 on ${awsIds(1).eni}`),
    );
  });

  it('refuses an unknown target health, then fails over when forced, as the local user', async () => {
    const refused = await runInvoke(['failover', '{"group":"web-lb","to":"lb-2"}']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^InputError: failover refused: to = "lb-2": lb-2 is UNKNOWN \(only 0 fresh verdict/,
    );

    const forced = await runInvoke([
      'failover',
      '{"group":"web-lb","to":"lb-2","force":true,"reason":"drill"}',
    ]);
    expect(forced.code).toBe(0);
    const result = JSON.parse(forced.stdout);
    expect(result).toMatchObject({ outcome: 'moved', from: 'lb-1', to: 'lb-2', requestedBy: 'carol@desk' });
    expect(world.eniOf(awsIds(1).allocationId)).toBe(awsIds(2).eni);
    expect(snsMock.commandCalls(PublishCommand)[0]?.args[0].input.Subject).toBe(
      '[ha-arbiter] web-lb: manual failover lb-1 -> lb-2 (drill)',
    );
  });

  it('runs a control action and shows it in the JSON status', async () => {
    const out = await runInvoke(['control', '{"group":"web-lb","action":"pause","reason":"drill"}']);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({
      action: 'pause',
      changed: true,
      requestedBy: 'carol@desk',
    });
    const report = JSON.parse((await runInvoke(['status', '{"group":"web-lb"}'])).stdout);
    expect(report.groups[0].mode).toBe('paused');
    expect(report.groups[0].history[0].summary).toBe(
      '[ha-arbiter] web-lb: paused: observe only by carol@desk (drill)',
    );
  });

  it('passes text that is not JSON to the function, which says so', async () => {
    const out = await runInvoke(['status', '{format:text}']);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/^InputError: status: the payload is not valid JSON/);
  });

  it('explains its usage and refuses unknown functions', async () => {
    expect((await runInvoke([])).code).toBe(2);
    expect((await runInvoke([])).stderr).toMatch(/^usage: npm run invoke -- <function>/);
    expect(await runInvoke(['nope'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^no such function: functions\/nope\.ts/),
    });
    expect(await runInvoke(['../x'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^not a function name/),
    });
  });

  it('will not talk to real AWS unless asked to', async () => {
    const out = await runInvoke(['status'], { PATH: process.env.PATH });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/this would talk to real AWS/);
  });
});
