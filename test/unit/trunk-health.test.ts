import { describe, expect, it } from 'vitest';
import { judgePatch } from '../../src/trunks/judge-patch.js';
import { healthOfTrunk, patchHealth } from '../../src/trunks/trunk-health.js';

const rejected = {
  id: 't1',
  name: 'Lumen SIP - NYC',
  connectedStatus: { connected: true },
  registersEnabledStatus: 'ENABLED',
  registersStatus: [{ proxyAddress: 'sip-a:5061', registerState: false, errorInfo: { code: '403', text: 'Forbidden' } }],
  optionsStatus: [{ proxyAddress: 'sip-a:5061', optionState: true }],
  proxyAddressList: ['sip-a:5061'],
};

describe('trunk health fields', () => {
  it('keeps the health fields of a full Trunk, an empty list where Genesys left one out', () => {
    expect(healthOfTrunk({ id: 'x', name: 'n', connectedStatus: { connected: true } })).toEqual({
      connectedStatus: { connected: true },
      registersStatus: [],
      optionsStatus: [],
    });
    expect(healthOfTrunk(rejected)).toMatchObject({ registersEnabledStatus: 'ENABLED', registersStatus: rejected.registersStatus });
  });

  it('replaces only the fields a patch carries', () => {
    const base = healthOfTrunk(rejected);
    expect(patchHealth(base, { id: 't1', connectedStatus: { connected: false } })).toEqual({
      ...base,
      connectedStatus: { connected: false },
    });
    expect(patchHealth(null, { ipStatus: { address: '1.2.3.4' } })).toEqual({ ipStatus: { address: '1.2.3.4' } });
  });
});

describe('judgePatch (a notification applied to what the trunk last looked like)', () => {
  const base = healthOfTrunk(rejected);
  const at = (body: Record<string, unknown>) => judgePatch({ trunkId: 't1', body, source: 'notification', observedAt: 1 }, base);

  it('keeps a rejected trunk rejected when an event carries only its connection or OPTIONS', () => {
    for (const body of [
      { id: 't1', connectedStatus: { connected: true } },
      { id: 't1', optionsStatus: [{ proxyAddress: 'sip-a:5061', optionState: true }] },
      { id: 't1', ipStatus: { address: '198.51.100.1' } },
    ]) {
      expect(at(body)).toMatchObject({ state: 'rejected', sipCode: 403, signal: 'registration', proxyAddress: 'sip-a:5061' });
    }
  });

  it('takes what an event does carry, and hands on the merged fields for the next one', () => {
    const healed = at({ id: 't1', registersStatus: [{ proxyAddress: 'sip-a:5061', registerState: true }] });
    expect(healed).toMatchObject({ state: 'registered', source: 'notification' });
    expect(healed.health?.registersEnabledStatus).toBe('ENABLED');
    expect(
      judgePatch({ trunkId: 't1', body: { connectedStatus: { connected: false } }, source: 'notification', observedAt: 2 }, healed.health!),
    ).toMatchObject({ state: 'dropped', signal: 'connection' });
  });

  it('without an earlier read, does not call a trunk healthy from its connection alone', () => {
    expect(
      judgePatch({ trunkId: 't1', body: { connectedStatus: { connected: true } }, source: 'notification', observedAt: 1 }, null),
    ).toMatchObject({ state: 'unknown' });
  });
});
