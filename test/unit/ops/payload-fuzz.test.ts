import { EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ec2Cloud } from '../../../shared/adapters/aws/ec2-cloud';
import { InputError } from '../../../shared/domain/errors';
import { control } from '../../../shared/ops/control';
import type { OpsDeps } from '../../../shared/ops/deps';
import { manualFailover } from '../../../shared/ops/manual-failover';
import {
  ControlPayloadSchema,
  FailoverPayloadSchema,
  parsePayload,
  StatusPayloadSchema,
} from '../../../shared/ops/payload';
import { status } from '../../../shared/ops/status';
import { ec2World, mockedEc2, withAwsIds } from './ec2-world';
import { opsHarness } from './harness';

const ec2Mock = mockClient(EC2Client);
afterEach(() => ec2Mock.reset());

const useCases = [
  { name: 'failover', run: manualFailover, schema: FailoverPayloadSchema },
  { name: 'control', run: control, schema: ControlPayloadSchema },
  { name: 'status', run: status, schema: StatusPayloadSchema },
] as const;

const FIELDS = [
  'group',
  'to',
  'reason',
  'force',
  'dryRun',
  'requestedBy',
  'action',
  'node',
  'expiresInMinutes',
  'format',
  'history',
  'froce',
  'Group',
  '__proto__',
  'constructor',
];

const huge = fc.string({ minLength: 2_000, maxLength: 20_000 });
const valueOfAnyType = fc.oneof(
  fc.anything(),
  huge,
  fc.constantFrom('web-lb', 'lb-1', 'lb-2', 'ban', 'text'),
);

/** Garbage of every shape: any value, JSON text, broken JSON, huge strings, near-valid objects. */
const payloads = fc.oneof(
  fc.anything(),
  fc.json(),
  fc.string(),
  huge,
  fc.string().map((s) => `{"group": ${s}`),
  fc.dictionary(fc.constantFrom(...FIELDS), valueOfAnyType, { maxKeys: 6 }),
  fc.record({ group: valueOfAnyType, extra: fc.anything() }),
  fc.dictionary(huge, fc.anything(), { minKeys: 1, maxKeys: 3 }),
  fc
    .array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 20, maxLength: 200 })
    .map((keys) => Object.fromEntries(keys.map((k) => [`x${k}`, 1]))),
);

async function fuzzHarness() {
  ec2Mock.reset();
  const h = await opsHarness({ edit: withAwsIds });
  const world = ec2World(ec2Mock, h.group, 'lb-1');
  const deps: OpsDeps = {
    ...h.deps,
    cloud: ec2Cloud(mockedEc2(), { attempts: 2, delayMs: 0, sleep: async () => {} }),
  };
  return { h, world, deps };
}

function rejectsShape(schema: (typeof useCases)[number]['schema'], input: unknown): boolean {
  try {
    parsePayload(schema, input, 'probe');
    return false;
  } catch {
    return true;
  }
}

describe('operator payloads under fuzzing', () => {
  for (const useCase of useCases) {
    it(`${useCase.name}: garbage gets a short InputError, no state change, no EC2 call`, async () => {
      await fc.assert(
        fc.asyncProperty(payloads, async (input) => {
          const { h, world, deps } = await fuzzHarness();
          const before = h.store.stateOf('web-lb');
          let error: unknown;
          try {
            await useCase.run(deps, input);
          } catch (e) {
            error = e;
          }
          if (error === undefined) return; // a valid payload by chance: nothing to check here
          expect(error).toBeInstanceOf(InputError);
          const message = (error as Error).message;
          expect(message.startsWith(useCase.name)).toBe(true);
          expect(message.length).toBeLessThan(2_000);
          expect(h.store.stateOf('web-lb')).toEqual(before);
          expect(h.store.controlCalls).toEqual([]);
          expect(h.store.history).toEqual([]);
          expect(h.notifier.sent).toEqual([]);
          expect(world.mutating()).toEqual([]);
          if (rejectsShape(useCase.schema, input)) expect(world.commands()).toEqual([]);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('names the unknown field and lists the valid ones', () => {
    expect(() => parsePayload(FailoverPayloadSchema, { group: 'web-lb', froce: true }, 'failover')).toThrow(
      'failover: froce: unknown key (valid keys: group, to, reason, force, dryRun, requestedBy)',
    );
  });

  it('names a wrong type with the value given', () => {
    expect(() => parsePayload(FailoverPayloadSchema, { group: 'web-lb', force: 'yes' }, 'failover')).toThrow(
      'failover: force = "yes": must be a boolean',
    );
    expect(() => parsePayload(StatusPayloadSchema, { history: 2.5 }, 'status')).toThrow(
      'status: history = 2.5: must be a whole number',
    );
  });

  it('names a missing field', () => {
    expect(() => parsePayload(ControlPayloadSchema, { action: 'pause' }, 'control')).toThrow(
      'control: group = missing: is required (a string)',
    );
  });

  it('cuts a huge value short in the message', () => {
    const attempt = () =>
      parsePayload(FailoverPayloadSchema, { group: 'web-lb', reason: 'x'.repeat(100_000) }, 'failover');
    expect(attempt).toThrow(
      /^failover: reason = "x{76}\.\.\.: must be at most 500 characters \(got 100000\)$/,
    );
  });

  it('says when the payload is not JSON or not an object', () => {
    expect(() => parsePayload(StatusPayloadSchema, '{"group": ', 'status')).toThrow(
      /^status: the payload is not valid JSON \(.+\): "\{\\"group\\": "$/,
    );
    expect(() => parsePayload(StatusPayloadSchema, [1], 'status')).toThrow(
      'status: the payload must be a JSON object such as {"group":"..."}, not an array',
    );
    expect(() => parsePayload(StatusPayloadSchema, null, 'status')).toThrow('not null');
  });

  it('accepts a JSON string the way serverless invoke passes text it could not parse', () => {
    expect(parsePayload(StatusPayloadSchema, '{"group":"web-lb","format":"text"}', 'status')).toEqual({
      group: 'web-lb',
      format: 'text',
      history: 10,
    });
  });

  it('lists at most eight problems', () => {
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i]));
    expect(() => parsePayload(StatusPayloadSchema, many, 'status')).toThrow(/\.\.\. and 22 more$/);
  });
});
