import { describe, expect, it } from 'vitest';
import { normaliseTrunk, sipCodeOf } from '../../src/trunks/trunk-state.js';

const trunk = (over: Record<string, unknown> = {}) => ({
  id: 't1',
  name: 'Lumen primary',
  edge: { id: 'e1', name: 'Edge A', selfUri: '/x' },
  connectedStatus: { connected: true, connectedStateTime: '2026-01-01T00:00:00.000Z' },
  registersEnabledStatus: 'ENABLED',
  registersStatus: [
    { proxyAddress: 'sip1.example.net:5061', registerState: true, registerStateTime: '2026-01-01T00:00:01.000Z' },
    { proxyAddress: 'sip2.example.net:5061', registerState: true, registerStateTime: '2026-01-01T00:00:02.000Z' },
  ],
  proxyAddressList: ['sip1.example.net:5061', 'sip2.example.net:5061'],
  ...over,
});

describe('sipCodeOf', () => {
  it('reads details.code, then code, then a leading number in text or details.message', () => {
    expect(sipCodeOf({ details: { code: '403' }, code: '500', text: '404 Not Found' })).toBe(403);
    expect(sipCodeOf({ code: '403', text: '404 x' })).toBe(403);
    expect(sipCodeOf({ text: '403 Forbidden' })).toBe(403);
    expect(sipCodeOf({ text: 'Forbidden', details: { message: '401 Unauthorized' } })).toBe(401);
    expect(sipCodeOf({ text: 'No response to REGISTER' })).toBeNull();
    expect(sipCodeOf({ code: 'bad.request', text: '12345 things' })).toBeNull();
    expect(sipCodeOf(undefined)).toBeNull();
  });
});

describe('normaliseTrunk', () => {
  it('is registered when every REGISTER had a positive answer', () => {
    expect(normaliseTrunk(trunk())).toMatchObject({ trunkId: 't1', name: 'Lumen primary', state: 'registered', registered: true, connected: true, edge: { id: 'e1', name: 'Edge A' }, sipCode: null });
  });

  it('is rejected with the SIP code and text when one proxy answered 403', () => {
    const t = trunk({
      registersStatus: [
        { proxyAddress: 'sip1.example.net:5061', registerState: true, registerStateTime: 'a' },
        { proxyAddress: 'sip2.example.net:5061', registerState: false, registerStateTime: '2026-01-01T00:05:00.000Z', errorInfo: { text: 'Forbidden', code: '403' } },
      ],
    });
    expect(normaliseTrunk(t)).toMatchObject({ state: 'rejected', sipCode: 403, errorText: 'Forbidden', proxyAddress: 'sip2.example.net:5061', registered: false, stateTime: '2026-01-01T00:05:00.000Z' });
  });

  it('prefers a rejection over a drop on another proxy', () => {
    const t = trunk({
      registersStatus: [
        { proxyAddress: 'a', registerState: false, errorInfo: { text: 'No response to REGISTER' } },
        { proxyAddress: 'b', registerState: false, errorInfo: { text: '401 Unauthorized' } },
      ],
    });
    expect(normaliseTrunk(t)).toMatchObject({ state: 'rejected', sipCode: 401, proxyAddress: 'b' });
  });

  it('is dropped when a REGISTER got no answer or a 5xx', () => {
    expect(normaliseTrunk(trunk({ registersStatus: [{ proxyAddress: 'a', registerState: false, errorInfo: { text: 'No response to REGISTER' } }] }))).toMatchObject({ state: 'dropped', sipCode: null, errorText: 'No response to REGISTER' });
    expect(normaliseTrunk(trunk({ registersStatus: [{ proxyAddress: 'a', registerState: false, errorInfo: { code: '503', text: 'Service Unavailable' } }] }))).toMatchObject({ state: 'dropped', sipCode: 503 });
    expect(normaliseTrunk(trunk({ registersStatus: [{ proxyAddress: 'a', registerState: false }] }))).toMatchObject({ state: 'dropped', errorText: 'No positive answer to REGISTER' });
  });

  it('is dropped when disconnected although the last REGISTER succeeded', () => {
    expect(normaliseTrunk(trunk({ connectedStatus: { connected: false, connectedStateTime: 'c' } }))).toMatchObject({ state: 'dropped', errorText: 'Trunk disconnected', stateTime: 'c' });
  });

  it('names the proxy of a trunk without registration from optionsStatus when an event has no proxyAddressList', () => {
    const event = { id: 't1', connectedStatus: { connected: false }, registersStatus: [], optionsStatus: [{ proxyAddress: 'sip1.example.net:5061', optionState: false }] };
    const polled = trunk({ registersEnabledStatus: 'DISABLED', registersStatus: [], connectedStatus: { connected: false } });
    expect(normaliseTrunk(event)).toMatchObject({ state: 'dropped', proxyAddress: 'sip1.example.net:5061' });
    expect(normaliseTrunk(event).proxyAddress).toBe(normaliseTrunk(polled).proxyAddress);
  });

  it('judges a trunk without registration (DISABLED) by connectedStatus', () => {
    const disabled = { registersEnabledStatus: 'DISABLED', registersStatus: [] };
    expect(normaliseTrunk(trunk({ ...disabled }))).toMatchObject({ state: 'registered', registered: null, proxyAddress: 'sip1.example.net:5061' });
    expect(normaliseTrunk(trunk({ ...disabled, connectedStatus: { connected: false } }))).toMatchObject({ state: 'dropped', registered: null });
    expect(normaliseTrunk(trunk({ ...disabled, connectedStatus: undefined }))).toMatchObject({ state: 'unknown' });
  });

  it('reads a notification event (no name, edge or registersEnabledStatus) with the id given', () => {
    const event = { connectedStatus: { connected: true }, registersStatus: [{ proxyAddress: 'a', registerState: false, errorInfo: { details: { code: '403', message: 'Forbidden' } } }] };
    expect(normaliseTrunk(event, 't9')).toMatchObject({ trunkId: 't9', name: null, edge: null, state: 'rejected', sipCode: 403, errorText: 'Forbidden' });
  });

  it('is unknown when nothing is reported', () => {
    expect(normaliseTrunk({ id: 'x' })).toMatchObject({ state: 'unknown' });
    expect(normaliseTrunk(null, 'y')).toMatchObject({ trunkId: 'y', state: 'unknown' });
    expect(normaliseTrunk(trunk({ registersStatus: [{ proxyAddress: 'a' }] }))).toMatchObject({ state: 'unknown' });
  });
});
