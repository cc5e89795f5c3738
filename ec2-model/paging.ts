import { Ec2Error } from './errors';
import type { Ec2Input } from './input';

/** How a Describe call pages on AWS (from the EC2 API reference for each action). */
export interface PagingRule {
  /** Smallest MaxResults AWS accepts. */
  readonly min: number;
  /** Largest MaxResults AWS accepts (larger is an error), or where it caps silently. */
  readonly max: number;
  /** Larger values are capped rather than refused. */
  readonly capsAtMax?: boolean;
  /** The id list member that may not be combined with MaxResults, and its wire name. */
  readonly exclusiveWith?: { readonly member: string; readonly wireName: string };
}

/** One page of a Describe answer. */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken: string | undefined;
}

const TOKEN_PREFIX = 'ec2model:';

function encodeToken(action: string, offset: number): string {
  return Buffer.from(`${TOKEN_PREFIX}${action}:${offset}`).toString('base64');
}

function decodeToken(action: string, token: string): number {
  const text = Buffer.from(token, 'base64').toString('utf8');
  const match = new RegExp(`^${TOKEN_PREFIX}${action}:(\\d+)$`).exec(text);
  if (!match) throw new Ec2Error('InvalidPaginationToken', `Invalid pagination token: ${token}`);
  return Number(match[1]);
}

/**
 * Cuts the full, ordered answer of a Describe call into the page the request asks for.
 * Without MaxResults and NextToken everything comes back at once, as on AWS.
 * Tokens are bound to the action, so one Describe's token does not work for another.
 * @throws Ec2Error for MaxResults out of bounds, MaxResults together with ids, or a bad token.
 */
export function page<T>(action: string, rule: PagingRule, input: Ec2Input, items: readonly T[]): Page<T> {
  const max = input.int('MaxResults');
  const token = input.str('NextToken');
  if (max !== undefined && rule.exclusiveWith && input.list(rule.exclusiveWith.member).length > 0) {
    throw new Ec2Error(
      'InvalidParameterCombination',
      `The parameter ${rule.exclusiveWith.wireName} cannot be used with the parameter maxResults`,
    );
  }
  if (max !== undefined && (max < rule.min || (max > rule.max && !rule.capsAtMax))) {
    throw new Ec2Error(
      'InvalidParameterValue',
      `Value ( ${max} ) for parameter maxResults is invalid. Expecting a value between ${rule.min} and ${rule.max}.`,
    );
  }
  const offset = token ? decodeToken(action, token) : 0;
  if (max === undefined && offset === 0) return { items: [...items], nextToken: undefined };
  const size = Math.min(max ?? rule.max, rule.max);
  const end = offset + size;
  return {
    items: items.slice(offset, end),
    nextToken: end < items.length ? encodeToken(action, end) : undefined,
  };
}

/** The paging rules of the Describe calls the model serves (DescribeAddresses does not page). */
export const PAGING = {
  DescribeInstances: {
    min: 5,
    max: 1000,
    exclusiveWith: { member: 'InstanceIds', wireName: 'instancesSet' },
  },
  DescribeInstanceStatus: {
    min: 5,
    max: 1000,
    exclusiveWith: { member: 'InstanceIds', wireName: 'instancesSet' },
  },
  DescribeNetworkInterfaces: {
    min: 5,
    max: 1000,
    exclusiveWith: { member: 'NetworkInterfaceIds', wireName: 'networkInterfaceIdSet' },
  },
  DescribeRouteTables: { min: 5, max: 100 },
  DescribeSubnets: { min: 5, max: 1000 },
  DescribeVpcs: { min: 5, max: 1000 },
  DescribeVpcEndpoints: { min: 1, max: 1000, capsAtMax: true },
  DescribeManagedPrefixLists: { min: 1, max: 100 },
} as const satisfies Record<string, PagingRule>;
