import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors/app-error.js';
import { sightingFromEvent } from '../../src/trunks/trunk-event.js';
import { judgePatch } from '../../src/trunks/judge-patch.js';
import type { TrunkPatch } from '../../src/trunks/trunk-sighting.js';

const NOW = Date.UTC(2026, 0, 1, 12);

describe('sightingFromEvent (POST /v1/events body → sighting)', () => {
  it('takes a state as given, with the event id, observedAt and the names it carries', () => {
    expect(
      sightingFromEvent(
        {
          eventId: 'e1',
          trunkId: 't1',
          state: 'rejected',
          sipCode: 403,
          errorText: 'Forbidden',
          proxyAddress: 'p:5061',
          trunkName: 'Lumen',
          edge: { id: 'e' },
          observedAt: '2026-01-01T11:59:00Z',
        },
        NOW,
      ),
    ).toEqual({
      trunkId: 't1',
      name: 'Lumen',
      state: 'rejected',
      signal: 'registration',
      sipCode: 403,
      errorText: 'Forbidden',
      proxyAddress: 'p:5061',
      edge: { id: 'e', name: null },
      trunkBase: null,
      connected: null,
      registered: false,
      stateTime: '2026-01-01T11:59:00Z',
      source: 'event',
      observedAt: NOW - 60_000,
      eventId: 'e1',
    });
    expect(sightingFromEvent({ eventId: 'e2', trunkId: 't1', state: 'registered' }, NOW)).toMatchObject({
      state: 'registered',
      registered: true,
      observedAt: NOW,
      name: null,
      edge: null,
    });
    expect(
      sightingFromEvent({ eventId: 'e4', trunkId: 't1', state: 'connected', trunkBase: { id: 'b1', name: 'Carrier' } }, NOW),
    ).toMatchObject({ state: 'connected', signal: 'connection', registered: null, trunkBase: { id: 'b1', name: 'Carrier' } });
  });

  it('reads a Genesys Trunk object with the monitor’s normaliser', () => {
    const trunk = {
      id: 't1',
      name: 'Lumen SIP - NYC',
      edge: { id: 'e1', name: 'edge-nyc-01' },
      connectedStatus: { connected: true },
      registersStatus: [
        { proxyAddress: 'sip-a:5061', registerState: false, errorInfo: { text: '403 Forbidden', code: '403', details: { code: '403' } } },
      ],
    };
    const patch = sightingFromEvent({ eventId: 'e3', trunkId: 't1', trunk, trunkBase: { id: 'b1' } }, NOW) as TrunkPatch;
    expect(patch).toMatchObject({ trunkId: 't1', body: trunk, source: 'event', eventId: 'e3', trunkBase: { id: 'b1', name: null } });
    expect(judgePatch(patch, null)).toMatchObject({
      trunkId: 't1',
      name: 'Lumen SIP - NYC',
      state: 'rejected',
      sipCode: 403,
      proxyAddress: 'sip-a:5061',
      edge: { id: 'e1', name: 'edge-nyc-01' },
      trunkBase: { id: 'b1' },
      source: 'event',
    });
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
    expect(refused({ eventId: 'e', trunkId: 't1', state: 'registered', errorText: 'x' })).toEqual([
      { path: '/errorText', message: 'only applies to a rejected or dropped state (state is registered)' },
    ]);
  });
});
