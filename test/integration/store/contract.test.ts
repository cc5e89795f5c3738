import { afterAll, beforeAll, describe } from 'vitest';
import { DynamoStore } from '../../../shared/adapters/dynamo/dynamo-store';
import { startDynalite, type TestDynamo } from '../../helpers/dynalite';
import { CONTRACT_GROUPS, groupStoreContract } from '../../helpers/group-store-contract';

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
      // The groups as the runtime passes them (readGroup names their verdict rows from them).
      store: new DynamoStore({
        tableName: await dynamo.newTable(),
        client: dynamo.client,
        groups: CONTRACT_GROUPS,
      }),
    }),
    // dynalite 4 ignores ReturnValuesOnConditionCheckFailure, so the holder's record comes from
    // DynamoStore's read after the refusal here; the unit test with a mocked client covers
    // how it is read from ALL_OLD.
  );
});
