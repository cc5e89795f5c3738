import { describe, expect, it } from 'vitest';
import { type AuthorizationRequest, Authorizer } from '../../../local/cloud/auth/authorizer';
import type { Principal } from '../../../local/cloud/auth/credentials';

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/t';
const EIP = 'arn:aws:ec2:us-east-1:123456789012:elastic-ip/eipalloc-0a';
const ENI = 'arn:aws:ec2:us-east-1:123456789012:network-interface/eni-0a';

const prober: Principal = {
  name: 'probe-a',
  arn: 'arn:aws:sts::123456789012:assumed-role/probe-a-role/probe-a',
  policies: [
    {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['dynamodb:PutItem', 'dynamodb:Query'],
          Resource: [TABLE],
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['v#a'] } },
        },
        { Effect: 'Allow', Action: ['ec2:AssociateAddress'], Resource: [EIP, ENI] },
        {
          Effect: 'Deny',
          Action: ['ec2:AssociateAddress'],
          Resource: [ENI],
          Condition: { StringEquals: { 'ec2:Region': 'eu-west-1' } },
        },
      ],
    },
  ],
};

const requests: Array<[string, AuthorizationRequest, 'allowed' | 'denied']> = [
  [
    'its own partition',
    {
      principal: prober,
      action: 'dynamodb:PutItem',
      resources: [TABLE],
      context: { 'dynamodb:LeadingKeys': ['v#a'] },
    },
    'allowed',
  ],
  [
    "a group's partition",
    {
      principal: prober,
      action: 'dynamodb:PutItem',
      resources: [TABLE],
      context: { 'dynamodb:LeadingKeys': ['g#web'] },
    },
    'denied',
  ],
  [
    'own and foreign keys at once',
    {
      principal: prober,
      action: 'dynamodb:Query',
      resources: [TABLE],
      context: { 'dynamodb:LeadingKeys': ['v#a', 'v#b'] },
    },
    'denied',
  ],
  [
    'an action it lacks',
    {
      principal: prober,
      action: 'dynamodb:UpdateItem',
      resources: [TABLE],
      context: { 'dynamodb:LeadingKeys': ['v#a'] },
    },
    'denied',
  ],
  [
    'both resources of a move',
    {
      principal: prober,
      action: 'ec2:AssociateAddress',
      resources: [EIP, ENI],
      context: { 'ec2:Region': 'us-east-1' },
    },
    'allowed',
  ],
  [
    'a move with one foreign resource',
    {
      principal: prober,
      action: 'ec2:AssociateAddress',
      resources: [EIP, `${ENI}ff`],
      context: { 'ec2:Region': 'us-east-1' },
    },
    'denied',
  ],
  [
    'an explicit deny',
    {
      principal: prober,
      action: 'ec2:AssociateAddress',
      resources: [EIP, ENI],
      context: { 'ec2:Region': 'eu-west-1' },
    },
    'denied',
  ],
];

describe('The local authorizer', () => {
  it.each(requests)(
    'decides %s the same way with and without input validation',
    async (_, request, expected) => {
      const validated = await new Authorizer({
        accountId: '123456789012',
        region: 'us-east-1',
        enabled: true,
      }).check(request);
      const direct = new Authorizer({
        accountId: '123456789012',
        region: 'us-east-1',
        enabled: true,
      }).checkSync(request);
      expect(validated === undefined ? 'allowed' : 'denied').toBe(expected);
      expect(direct === undefined ? 'allowed' : 'denied').toBe(expected);
      expect(direct?.explicit).toBe(validated?.explicit);
    },
  );

  it('names the refused action and resource as AWS does', async () => {
    const denial = await new Authorizer({
      accountId: '123456789012',
      region: 'us-east-1',
      enabled: true,
    }).check(requests[1]?.[1] as AuthorizationRequest);
    expect(denial?.message).toBe(
      `User: ${prober.arn} is not authorized to perform: dynamodb:PutItem on resource: ${TABLE} because no identity-based policy allows the dynamodb:PutItem action`,
    );
  });

  it('allows everything when turned off, and principals without policies always', async () => {
    const off = new Authorizer({ accountId: '123456789012', region: 'us-east-1', enabled: false });
    expect(await off.check(requests[1]?.[1] as AuthorizationRequest)).toBeUndefined();
    const on = new Authorizer({ accountId: '123456789012', region: 'us-east-1', enabled: true });
    const operator: Principal = { name: 'operator', arn: 'arn:aws:iam::123456789012:user/operator' };
    expect(
      await on.check({ ...(requests[1]?.[1] as AuthorizationRequest), principal: operator }),
    ).toBeUndefined();
  });
});
