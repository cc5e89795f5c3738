/**
 * The table's key schema, shared by the deployed stack, the local cloud and the tests, so the
 * three can never disagree: string keys `pk` (partition) and `sk` (sort); see keys.ts.
 */
export const TABLE_ATTRIBUTES = [
  { AttributeName: 'pk', AttributeType: 'S' },
  { AttributeName: 'sk', AttributeType: 'S' },
] as const;

export const TABLE_KEY_SCHEMA = [
  { AttributeName: 'pk', KeyType: 'HASH' },
  { AttributeName: 'sk', KeyType: 'RANGE' },
] as const;

/** The attribute DynamoDB TTL reads on history rows (epoch seconds). */
export const TTL_ATTRIBUTE = 'ttl';
