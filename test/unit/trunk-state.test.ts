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
    expect(normaliseTrunk(trunk())).toMatchObject({
      trunkId: 't1',
      name: 'Lumen primary',
      state: 'registered',
      registered: true,
      connected: true,
      edge: { id: 'e1', name: 'Edge A' },
      sipCode: null,
    });
  });

  it('is rejected with the SIP code and text when one proxy answered 403', () => {
    const t = trunk({
      registersStatus: [
        { proxyAddress: 'sip1.example.net:5061', registerState: true, registerStateTime: 'a' },
        {
          proxyAddress: 'sip2.example.net:5061',
          registerState: false,
          registerStateTime: '2026-01-01T00:05:00.000Z',
          errorInfo: { text: 'Forbidden', code: '403' },
        },
      ],
    });
    expect(normaliseTrunk(t)).toMatchObject({
      state: 'rejected',
      sipCode: 403,
      errorText: 'Forbidden',
      proxyAddress: 'sip2.example.net:5061',
      registered: false,
      stateTime: '2026-01-01T00:05:00.000Z',
    });
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
    expect(
      normaliseTrunk(
        trunk({ registersStatus: [{ proxyAddress: 'a', registerState: false, errorInfo: { text: 'No response to REGISTER' } }] }),
      ),
    ).toMatchObject({ state: 'dropped', sipCode: null, errorText: 'No response to REGISTER' });
    expect(
      normaliseTrunk(
        trunk({ registersStatus: [{ proxyAddress: 'a', registerState: false, errorInfo: { code: '503', text: 'Service Unavailable' } }] }),
      ),
    ).toMatchObject({ state: 'dropped', sipCode: 503 });
    expect(normaliseTrunk(trunk({ registersStatus: [{ proxyAddress: 'a', registerState: false }] }))).toMatchObject({
      state: 'dropped',
      errorText: 'No positive answer to REGISTER',
    });
  });

  it('is dropped when disconnected although the last REGISTER succeeded', () => {
    expect(normaliseTrunk(trunk({ connectedStatus: { connected: false, connectedStateTime: 'c' } }))).toMatchObject({
      state: 'dropped',
      errorText: 'Trunk disconnected',
      stateTime: 'c',
    });
  });

  it('names the proxy of a trunk without registration from optionsStatus when an event has no proxyAddressList', () => {
    const event = {
      id: 't1',
      connectedStatus: { connected: false },
      registersStatus: [],
      optionsStatus: [{ proxyAddress: 'sip1.example.net:5061', optionState: false }],
    };
    const polled = trunk({ registersEnabledStatus: 'DISABLED', registersStatus: [], connectedStatus: { connected: false } });
    expect(normaliseTrunk(event)).toMatchObject({ state: 'dropped', proxyAddress: 'sip1.example.net:5061' });
    expect(normaliseTrunk(event).proxyAddress).toBe(normaliseTrunk(polled).proxyAddress);
  });

  it('judges a trunk without registration (DISABLED) by connectedStatus: connected, dropped or unknown', () => {
    const disabled = { registersEnabledStatus: 'DISABLED', registersStatus: [] };
    expect(normaliseTrunk(trunk({ ...disabled }))).toMatchObject({
      state: 'connected',
      signal: 'connection',
      registered: null,
      proxyAddress: 'sip1.example.net:5061',
    });
    expect(normaliseTrunk(trunk({ ...disabled, connectedStatus: { connected: false } }))).toMatchObject({
      state: 'dropped',
      signal: 'connection',
      registered: null,
      errorText: 'Trunk disconnected',
    });
    expect(normaliseTrunk(trunk({ ...disabled, connectedStatus: undefined }))).toMatchObject({ state: 'unknown', signal: null });
  });

  describe('a trunk that does not use registration (NOT_SUPPORTED, DISABLED or no registersStatus), judged on connection and SIP OPTIONS', () => {
    const cloud = (options: unknown[], over: Record<string, unknown> = {}) =>
      trunk({
        registersEnabledStatus: 'NOT_SUPPORTED',
        registersStatus: undefined,
        proxyAddressList: ['sip.carrier.example:5060'],
        optionsStatus: options,
        ...over,
      });
    const ok = { proxyAddress: 'sip.carrier.example:5060', optionState: true, optionStateTime: '2026-01-01T00:00:05.000Z' };

    it('is connected while the connection holds and OPTIONS are answered', () => {
      expect(normaliseTrunk(cloud([ok]))).toMatchObject({
        state: 'connected',
        signal: 'options',
        registered: null,
        sipCode: null,
        errorText: null,
        stateTime: '2026-01-01T00:00:05.000Z',
      });
      // Registration "used" by the list but switched off by the enum: the enum wins.
      expect(normaliseTrunk(trunk({ registersEnabledStatus: 'NOT_SUPPORTED' }))).toMatchObject({ state: 'connected' });
      // ENABLED with an empty list reports no registration either.
      expect(normaliseTrunk(trunk({ registersStatus: [] }))).toMatchObject({ state: 'connected', signal: 'connection' });
    });

    it('is dropped when OPTIONS go unanswered, time out (408) or get a 5xx, with the SIP code and text of the failing entry', () => {
      expect(
        normaliseTrunk(
          cloud([
            {
              proxyAddress: 'sip.carrier.example:5060',
              optionState: false,
              optionStateTime: 't',
              errorInfo: { text: 'Request Timeout', code: '408' },
            },
          ]),
        ),
      ).toMatchObject({
        state: 'dropped',
        signal: 'options',
        sipCode: 408,
        errorText: 'Request Timeout',
        proxyAddress: 'sip.carrier.example:5060',
        stateTime: 't',
      });
      expect(normaliseTrunk(cloud([{ proxyAddress: 'p', optionState: false }]))).toMatchObject({
        state: 'dropped',
        signal: 'options',
        sipCode: null,
        errorText: 'No answer to SIP OPTIONS',
      });
      expect(normaliseTrunk(cloud([{ proxyAddress: 'p', optionState: false, errorInfo: { details: { code: '503' } } }]))).toMatchObject({
        state: 'dropped',
        sipCode: 503,
      });
      expect(normaliseTrunk(cloud([ok], { connectedStatus: { connected: false, connectedStateTime: 'c' } }))).toMatchObject({
        state: 'dropped',
        signal: 'connection',
        stateTime: 'c',
      });
    });

    it('is rejected when OPTIONS are answered with another 4xx, which beats a drop on another proxy', () => {
      const refused = { proxyAddress: 'b:5060', optionState: false, errorInfo: { text: '403 Forbidden' } };
      expect(normaliseTrunk(cloud([{ proxyAddress: 'a', optionState: false }, refused]))).toMatchObject({
        state: 'rejected',
        signal: 'options',
        sipCode: 403,
        errorText: '403 Forbidden',
        proxyAddress: 'b:5060',
      });
    });
  });

  describe('a partial event (fields it leaves out are not told)', () => {
    it('never reads a missing registersStatus as "registration not used"', () => {
      expect(normaliseTrunk({ id: 't1', connectedStatus: { connected: true } }, { partial: true })).toMatchObject({ state: 'unknown' });
      // A failure it does show still counts.
      expect(normaliseTrunk({ id: 't1', connectedStatus: { connected: false } }, { partial: true })).toMatchObject({
        state: 'dropped',
        signal: 'connection',
      });
      // Without `partial`, a full Trunk that leaves the empty list out means no registration.
      expect(normaliseTrunk({ id: 't1', connectedStatus: { connected: true } })).toMatchObject({ state: 'connected' });
    });
  });

  it('reads a notification event (no name, edge or registersEnabledStatus) with the id given', () => {
    const event = {
      connectedStatus: { connected: true },
      registersStatus: [{ proxyAddress: 'a', registerState: false, errorInfo: { details: { code: '403', message: 'Forbidden' } } }],
    };
    expect(normaliseTrunk(event, 't9')).toMatchObject({
      trunkId: 't9',
      name: null,
      edge: null,
      state: 'rejected',
      sipCode: 403,
      errorText: 'Forbidden',
    });
  });

  it('is unknown when nothing is reported', () => {
    expect(normaliseTrunk({ id: 'x' })).toMatchObject({ state: 'unknown' });
    expect(normaliseTrunk(null, 'y')).toMatchObject({ trunkId: 'y', state: 'unknown' });
    expect(normaliseTrunk(trunk({ registersStatus: [{ proxyAddress: 'a' }] }))).toMatchObject({ state: 'unknown' });
  });
});
