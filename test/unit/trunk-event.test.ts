import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors/app-error.js';
import { sightingFromEvent } from '../../src/incidents/trunk-event.js';

const NOW = Date.UTC(2026, 0, 1, 12);

describe('sightingFromEvent (POST /v1/events body → sighting)', () => {
  it('takes a state as given, with the event id, observedAt and the names it carries', () => {
    expect(sightingFromEvent({ eventId: 'e1', trunkId: 't1', state: 'rejected', sipCode: 403, errorText: 'Forbidden', proxyAddress: 'p:5061', trunkName: 'Lumen', edge: { id: 'e' }, observedAt: '2026-01-01T11:59:00Z' }, NOW)).toEqual({
      trunkId: 't1', name: 'Lumen', state: 'rejected', sipCode: 403, errorText: 'Forbidden', proxyAddress: 'p:5061', edge: { id: 'e', name: null },
      connected: null, registered: false, stateTime: '2026-01-01T11:59:00Z', source: 'event', observedAt: NOW - 60_000, eventId: 'e1',
    });
    expect(sightingFromEvent({ eventId: 'e2', trunkId: 't1', state: 'registered' }, NOW)).toMatchObject({ state: 'registered', registered: true, observedAt: NOW, name: null, edge: null });
  });

  it('reads a Genesys Trunk object with the monitor’s normaliser', () => {
    const trunk = {
      id: 't1', name: 'Lumen SIP - NYC', edge: { id: 'e1', name: 'edge-nyc-01' }, connectedStatus: { connected: true },
      registersStatus: [{ proxyAddress: 'sip-a:5061', registerState: false, errorInfo: { text: '403 Forbidden', code: '403', details: { code: '403' } } }],
    };
    expect(sightingFromEvent({ eventId: 'e3', trunkId: 't1', trunk }, NOW)).toMatchObject({ trunkId: 't1', name: 'Lumen SIP - NYC', state: 'rejected', sipCode: 403, proxyAddress: 'sip-a:5061', edge: { id: 'e1', name: 'edge-nyc-01' }, source: 'event' });
  });

  it('refuses fields that do not go together, each with its JSON Pointer', () => {
    const refused = (input: Parameters<typeof sightingFromEvent>[0]) => {
      try {
        sightingFromEvent(input, NOW);
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        return (err as ValidationError).details;
      }
      throw new Error('expected a validation error');
    };
    expect(refused({ eventId: 'e', trunkId: 't1', trunk: { id: 'other' }, sipCode: 403 })).toEqual([
      { path: '/sipCode', message: 'is not allowed with `trunk`: the trunk object carries it' },
      { path: '/trunk/id', message: 'must equal trunkId (t1)' },
    ]);
    expect(refused({ eventId: 'e', trunkId: 't1', state: 'registered', errorText: 'x' })).toEqual([{ path: '/errorText', message: 'only applies to a rejected or dropped state (state is registered)' }]);
  });
});
