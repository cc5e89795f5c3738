import { describe } from 'vitest';
import { groupStoreContract } from '../../helpers/group-store-contract';
import { MemoryStore } from '../../helpers/memory-store';

describe('MemoryStore (the fake the use-case tests run on) keeps the GroupStore contract', () => {
  groupStoreContract(async () => ({ store: new MemoryStore() }));
});
