import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoStore } from '../../../shared/store/dynamo-store';
import { startDynalite, type TestDynamo } from '../../helpers/dynalite';
import { groupStoreContract } from '../../helpers/group-store-contract';

describe('DynamoStore on dynalite keeps the GroupStore contract', () => {
  let dynamo: TestDynamo;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo.close();
  });
  groupStoreContract(
    async () => ({
      // The vantages as the runtime passes them (readGroup reads their heartbeats first);
      // test/integration/store/races.test.ts also covers a store built without them.
      store: new DynamoStore({
        tableName: await dynamo.newTable(),
        client: dynamo.client,
        vantages: ['az-a', 'az-c'],
      }),
    }),
    // dynalite 4 ignores ReturnValuesOnConditionCheckFailure; the unit test with a mocked
    // client covers how the holder is read from ALL_OLD.
    { returnsOldItemOnConditionFailure: false },
  );
});
