import { describe, expect, it } from 'vitest';
import { createFakeStores } from '../../src/app/stores.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('fake stores', {
  create: async () => createFakeStores(),
  destroy: async () => {},
});

describe('fake stores', () => {
  it('fails every call while failWith is set (for failure-path tests)', async () => {
    const store = createFakeStores();
    store.database.failWith = new Error('disk gone');
    await expect(store.ping()).rejects.toThrow('disk gone');
    await expect(store.listTrunks()).rejects.toThrow('disk gone');
    await expect(store.transaction(async () => 1)).rejects.toThrow('disk gone');
    store.database.failWith = null;
    await expect(store.listTrunks()).resolves.toEqual([]);
  });
});
