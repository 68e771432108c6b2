import { describe, expect, it } from 'vitest';
import { FakeStore } from '../../src/store/fake-store.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('FakeStore', {
  create: async () => new FakeStore(),
  destroy: async () => {},
});

describe('FakeStore', () => {
  it('fails every call while failWith is set (for failure-path tests)', async () => {
    const store = new FakeStore();
    store.failWith = new Error('disk gone');
    await expect(store.ping()).rejects.toThrow('disk gone');
    await expect(store.listTrunks()).rejects.toThrow('disk gone');
    await expect(store.transaction(async () => 1)).rejects.toThrow('disk gone');
    store.failWith = null;
    await expect(store.listTrunks()).resolves.toEqual([]);
  });
});
