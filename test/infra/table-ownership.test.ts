import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import { keys } from '../../shared/adapters/dynamo/keys';
import { asArray, type Statement, statementsOf } from './helpers/iam';
import { build, deployableConfig } from './helpers/stack';

const ACCOUNT = '123456789012';
const TABLE_ARN = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/ha-arbiter-ci`;
const TABLE = { 'Fn::GetAtt': ['Table', 'Arn'] };

/**
 * The role's table statements as AWS evaluates them: the table's ARN in place of its GetAtt.
 * Other statements (logs, EC2, VPC) name no table and take no part in these calls.
 */
function tablePolicy(role: string) {
  const { Resources } = build(deployableConfig()).resources;
  const table = statementsOf(Resources, role).filter((s: Statement) =>
    asArray(s.Resource as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify(TABLE)),
  );
  expect(table.length, role).toBeGreaterThan(0);
  return {
    Version: '2012-10-17',
    Statement: table.map((s) => ({ ...s, Resource: [TABLE_ARN] })),
  };
}

/** AWS's decision for one call of `role` on items whose partition keys are `partitions`. */
async function decide(role: string, action: string, partitions: string[]): Promise<string> {
  const simulation: Simulation = {
    identityPolicies: [{ name: role, policy: tablePolicy(role) }],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      action,
      principal: `arn:aws:iam::${ACCOUNT}:role/${role}`,
      resource: { accountId: ACCOUNT, resource: TABLE_ARN },
      contextVariables: { 'dynamodb:LeadingKeys': partitions },
    },
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') throw new Error(JSON.stringify(response.errors));
  return response.overallResult;
}

describe('Table ownership under IAM (simulated with AWS authorization data)', () => {
  const probers = [
    ['ProbeDashazDashaRole', 'az-a', 'az-c'],
    ['ProbeDashazDashcRole', 'az-c', 'az-a'],
  ] as const;

  it('lets each prober write and query its own vantage partition', async () => {
    for (const [role, own] of probers) {
      expect(await decide(role, 'dynamodb:PutItem', [keys.vantagePk(own)]), role).toBe('Allowed');
      expect(await decide(role, 'dynamodb:Query', [keys.vantagePk(own)]), role).toBe('Allowed');
    }
  });

  it("refuses a prober any write to a group's state, its history or another vantage's rows", async () => {
    for (const [role, own, other] of probers) {
      for (const action of [
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
      ]) {
        for (const pk of [keys.groupPk('web-lb'), keys.historyPk('web-lb'), keys.vantagePk(other)]) {
          expect(await decide(role, action, [pk]), `${role} ${action} ${pk}`).not.toBe('Allowed');
        }
      }
      expect(await decide(role, 'dynamodb:GetItem', [keys.groupPk('web-lb')]), role).not.toBe('Allowed');
      // A request naming its own partition and another one is refused as a whole.
      expect(
        await decide(role, 'dynamodb:Query', [keys.vantagePk(own), keys.vantagePk(other)]),
        role,
      ).not.toBe('Allowed');
    }
  });

  it("lets the arbiter side read a group's state with its vantages' rows in one BatchGetItem, and write no vantage's rows", async () => {
    for (const role of ['ArbiterRole', 'FailoverRole', 'StatusRole', 'ControlRole']) {
      const read = [keys.groupPk('web-lb'), keys.vantagePk('az-a'), keys.vantagePk('az-c')];
      expect(await decide(role, 'dynamodb:BatchGetItem', read), role).toBe('Allowed');
      expect(await decide(role, 'dynamodb:PutItem', [keys.vantagePk('az-a')]), role).not.toBe('Allowed');
    }
    expect(await decide('ArbiterRole', 'dynamodb:UpdateItem', [keys.groupPk('web-lb')])).toBe('Allowed');
    expect(await decide('StatusRole', 'dynamodb:UpdateItem', [keys.groupPk('web-lb')])).not.toBe('Allowed');
  });
});
