import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_CLIENT_ID,
  DEMO_CLIENT_SECRET,
  defaultTrunkIds,
  startGenesysSim,
  type GenesysSim,
  type GenesysTokenResponse,
  type GenesysTrunk,
} from '../../src/sim/genesys/index.js';

const START = Date.parse('2025-03-01T09:00:00.000Z');
const TRUNKS = '/api/v2/telephony/providers/edges/trunks';
const PRIMARY = defaultTrunkIds.lumenPrimary; // two proxies: sip-a / sip-b.lumen.example.net:5061
const TWILIO = defaultTrunkIds.twilio; // one proxy

describe('Genesys simulator: trunk registration states', () => {
  let now = START;
  let sim: GenesysSim;
  let token: string;

  const read = async (id: string): Promise<GenesysTrunk> => {
    const res = await fetch(`${sim.url}${TRUNKS}/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as GenesysTrunk;
  };

  beforeEach(async () => {
    now = START;
    sim = await startGenesysSim({ clock: () => now });
    const res = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${DEMO_CLIENT_ID}:${DEMO_CLIENT_SECRET}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    token = ((await res.json()) as GenesysTokenResponse).access_token;
  });
  afterEach(() => sim.close());

  it('rejected: REGISTER false, disconnected, SIP code in details.code, code and text by default', async () => {
    now += 60_000;
    sim.control.setTrunkState(TWILIO, { state: 'rejected', sipCode: 403, text: 'Forbidden' });
    const trunk = await read(TWILIO);
    expect(trunk.connectedStatus).toEqual({ connected: false, connectedStateTime: '2025-03-01T09:01:00.000Z' });
    expect(trunk.registersStatus).toEqual([
      {
        proxyAddress: 'acme.pstn.twilio.example.com:5060',
        registerState: false,
        registerStateTime: '2025-03-01T09:01:00.000Z',
        errorInfo: {
          text: '403 Forbidden',
          code: '403',
          details: { code: '403', message: 'Forbidden', hostname: 'acme.pstn.twilio.example.com' },
        },
      },
    ]);
    // The far end still answers OPTIONS when it refuses a REGISTER.
    expect(trunk.optionsStatus[0]).toMatchObject({ optionState: true });
    expect(trunk.optionsStatus[0]!.errorInfo).toBeUndefined();
  });

  it.each([
    [['text'], { text: '403 Forbidden', details: { message: 'Forbidden', hostname: 'acme.pstn.twilio.example.com' } }],
    [['code'], { text: 'Forbidden', code: '403', details: { message: 'Forbidden', hostname: 'acme.pstn.twilio.example.com' } }],
    [['details.code'], { text: 'Forbidden', details: { code: '403', message: 'Forbidden', hostname: 'acme.pstn.twilio.example.com' } }],
    [['details.message'], { text: 'Forbidden', details: { message: '403 Forbidden', hostname: 'acme.pstn.twilio.example.com' } }],
  ] as const)('rejected with sipCodeIn %j puts the code only there', async (sipCodeIn, errorInfo) => {
    sim.control.setTrunkState(TWILIO, { state: 'rejected', sipCode: 403, sipCodeIn: [...sipCodeIn] });
    expect((await read(TWILIO)).registersStatus[0]!.errorInfo).toEqual(errorInfo);
  });

  it('rejected defaults to 403 Forbidden and names other SIP codes by their reason phrase', async () => {
    sim.control.setTrunkState(TWILIO, { state: 'rejected' });
    expect((await read(TWILIO)).registersStatus[0]!.errorInfo!.text).toBe('403 Forbidden');
    sim.control.setTrunkState(TWILIO, { state: 'rejected', sipCode: 407 });
    expect((await read(TWILIO)).registersStatus[0]!.errorInfo).toMatchObject({
      text: '407 Proxy Authentication Required',
      code: '407',
    });
  });

  it('dropped: disconnected, REGISTER and OPTIONS false, error text without any code', async () => {
    now += 5_000;
    sim.control.setTrunkState(PRIMARY, { state: 'dropped' });
    const trunk = await read(PRIMARY);
    expect(trunk.connectedStatus.connected).toBe(false);
    expect(trunk.registersStatus).toHaveLength(2);
    for (const reg of trunk.registersStatus) {
      expect(reg.registerState).toBe(false);
      expect(reg.registerStateTime).toBe('2025-03-01T09:00:05.000Z');
      expect(reg.errorInfo!.text).toBe('No response to REGISTER');
      expect(reg.errorInfo!.code).toBeUndefined();
      expect(reg.errorInfo!.details!.code).toBeUndefined();
    }
    expect(trunk.optionsStatus.every((o) => !o.optionState && o.errorInfo!.text === 'No response to OPTIONS')).toBe(true);
  });

  it('registered again: clears errorInfo, reconnects and moves the state times', async () => {
    sim.control.setTrunkState(TWILIO, { state: 'dropped', text: 'Request Timeout' });
    now += 90_000;
    sim.control.setTrunkState(TWILIO, { state: 'registered' });
    const trunk = await read(TWILIO);
    expect(trunk.connectedStatus).toEqual({ connected: true, connectedStateTime: '2025-03-01T09:01:30.000Z' });
    expect(trunk.registersStatus[0]).toEqual({
      proxyAddress: 'acme.pstn.twilio.example.com:5060',
      registerState: true,
      registerStateTime: '2025-03-01T09:01:30.000Z',
    });
    expect(trunk.optionsStatus[0]!.errorInfo).toBeUndefined();
  });

  it('dropped then rejected: the far end answers OPTIONS again while refusing REGISTER', async () => {
    sim.control.setTrunkState(TWILIO, { state: 'dropped' });
    sim.control.setTrunkState(TWILIO, { state: 'rejected', sipCode: 403 });
    const trunk = await read(TWILIO);
    expect(trunk.optionsStatus[0]).toMatchObject({ optionState: true });
    expect(trunk.optionsStatus[0]!.errorInfo).toBeUndefined();
    expect(trunk.registersStatus[0]!.errorInfo!.code).toBe('403');
  });

  it('one proxy rejected keeps the trunk connected through the other', async () => {
    sim.control.setTrunkState(PRIMARY, { state: 'rejected', proxyAddress: 'sip-b.lumen.example.net:5061' });
    const trunk = await read(PRIMARY);
    expect(trunk.connectedStatus.connected).toBe(true);
    expect(trunk.registersStatus.map((r) => r.registerState)).toEqual([true, false]);
  });

  it('an explicit connected overrides the derived value', async () => {
    sim.control.setTrunkState(TWILIO, { state: 'rejected', connected: true });
    expect((await read(TWILIO)).connectedStatus.connected).toBe(true);
  });

  it('registration disabled: DISABLED, no registersStatus, connected through OPTIONS', async () => {
    sim.control.setRegistersEnabled(TWILIO, false);
    const trunk = await read(TWILIO);
    expect(trunk.registersEnabledStatus).toBe('DISABLED');
    expect(trunk.registersStatus).toEqual([]);
    expect(trunk.connectedStatus.connected).toBe(true);
    sim.control.setRegistersEnabled(TWILIO, true);
    expect((await read(TWILIO)).registersStatus).toHaveLength(1);
  });

  it('emits trunkChanged once per health change, not for a repeat of the same state', () => {
    const seen: GenesysTrunk[] = [];
    const off = sim.control.on('trunkChanged', (t) => seen.push(t));
    sim.control.setTrunkState(TWILIO, { state: 'rejected' });
    sim.control.setTrunkState(TWILIO, { state: 'rejected' });
    sim.control.setTrunkState(TWILIO, { state: 'registered' });
    off();
    sim.control.setTrunkState(TWILIO, { state: 'dropped' });
    expect(seen.map((t) => t.registersStatus[0]!.registerState)).toEqual([false, true]);
    expect(seen[0]!.id).toBe(TWILIO);
    expect(seen[1]!.version).toBe(seen[0]!.version + 1);
  });

  it('adds and removes trunks, with events', async () => {
    const added: string[] = [];
    const removed: string[] = [];
    sim.control.on('trunkAdded', (t) => added.push(t.id));
    sim.control.on('trunkRemoved', (t) => removed.push(t.id));
    sim.control.addTrunk({
      id: 'new-trunk',
      name: 'New BYOC',
      edge: { id: 'e', name: 'E' },
      trunkBase: { id: 'b', name: 'B' },
      proxyAddressList: ['[2001:db8::5]:5061'],
      initialState: { state: 'rejected', sipCode: 401 },
    });
    const trunk = await read('new-trunk');
    expect(trunk.registersStatus[0]!.errorInfo).toMatchObject({ code: '401', details: { hostname: '2001:db8::5' } });
    expect(() => sim.control.addTrunk({ ...sim.state.initial.trunks[0]!, id: 'new-trunk' })).toThrow(/already exists/);
    expect(sim.control.removeTrunk('new-trunk')).toBe(true);
    expect(sim.control.removeTrunk('new-trunk')).toBe(false);
    expect(added).toEqual(['new-trunk']);
    expect(removed).toEqual(['new-trunk']);
  });

  it('refuses changes to unknown trunks and malformed changes', () => {
    expect(() => sim.control.setTrunkState('nope', { state: 'dropped' })).toThrow(/no trunk nope/);
    expect(() => sim.control.setTrunkState(TWILIO, { state: 'gone' as never })).toThrow(/state must be one of/);
    expect(() => sim.control.setTrunkState(TWILIO, { state: 'rejected', sipCode: 42 })).toThrow(/sipCode/);
    expect(() => sim.control.setTrunkState(TWILIO, { state: 'rejected', proxyAddress: 'x' })).toThrow(/no proxy x/);
  });

  it('reset puts trunks, faults and limits back and keeps issued tokens', async () => {
    sim.control.setTrunkState(TWILIO, { state: 'dropped' });
    sim.control.removeTrunk(PRIMARY);
    sim.control.setApiFault({ mode: 'down' });
    sim.control.setRateLimit(1);
    sim.control.reset();
    expect((await read(TWILIO)).connectedStatus.connected).toBe(true);
    expect((await read(PRIMARY)).id).toBe(PRIMARY);
    expect(sim.control.settings()).toMatchObject({ apiFault: null, rateLimitPerMinute: 300 });
  });
});
