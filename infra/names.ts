/**
 * Names and logical ids shared by the generated stack and the template osls compiles.
 * osls derives a function's logical id from its key (`probe-az-a` -> `ProbeDashazDashaLambdaFunction`);
 * the roles, the scheduler role and the alarms refer to those ids, so the rule is kept here,
 * in one place, and a template test checks that both agree.
 */

/** The fixed functions (every deployment has them); probers are added per vantage. */
export const FIXED_FUNCTIONS = [
  'arbiter',
  'failover',
  'status',
  'control',
  'preflight',
  'notify-slack',
  'drill',
] as const;
export type FixedFunction = (typeof FIXED_FUNCTIONS)[number];

/** osls's normalization of a function key into a logical id prefix. */
export function normalizedName(key: string): string {
  const name = key.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export const proberKey = (vantageId: string): string => `probe-${vantageId}`;
export const functionLogicalId = (key: string): string => `${normalizedName(key)}LambdaFunction`;
export const logGroupLogicalId = (key: string): string => `${normalizedName(key)}LogGroup`;
export const roleLogicalId = (key: string): string => `${normalizedName(key)}Role`;
export const securityGroupLogicalId = (key: string): string => `${normalizedName(key)}SecurityGroup`;

/** Lambda's limit on function names. */
export const MAX_FUNCTION_NAME = 64;

/** The deployed function name; osls's default, set explicitly so policies can name it. */
export const functionName = (service: string, stage: string, key: string): string =>
  `${service}-${stage}-${key}`;

/** Logical ids of the stack's own resources. */
export const Ids = {
  table: 'Table',
  topic: 'AlertTopic',
  emailSubscription: 'AlertEmailSubscription',
  schedulerRole: 'SchedulerRole',
  drillSchedulerRole: 'DrillSchedulerRole',
  dashboard: 'Dashboard',
  dynamoEndpoint: 'DynamoDbGatewayEndpoint',
  prefixList: 'DynamoDbPrefixList',
  prefixListFunction: 'DynamoDbPrefixListLookupFunction',
  prefixListRole: 'DynamoDbPrefixListLookupRole',
  prefixListLogGroup: 'DynamoDbPrefixListLookupLogGroup',
  arbiterSecurityGroup: 'ArbiterSecurityGroup',
  endpointSecurityGroup: 'InterfaceEndpointSecurityGroup',
  endpointIngress: 'InterfaceEndpointIngressFromArbiter',
  interfaceEndpoint: (service: string) => `${normalizedName(service)}InterfaceEndpoint`,
} as const;
