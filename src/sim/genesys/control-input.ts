import { SimControlError } from './sim-control-error.js';
import { sipCodePlacements, trunkHealthStates, type TrunkStateChange } from './trunk-health.js';
import type { SeedTrunk } from './trunk-store.js';

/** Control input checks shared by the in-process control and its HTTP twin; they throw SimControlError. */
export function asObject(input: unknown): Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SimControlError('invalid_request', 'expected a JSON object');
  }
  return input as Record<string, unknown>;
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new SimControlError('invalid_request', `${field} must be one of ${allowed.join(', ')}`);
}

export function optionalInt(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  return requireInt(value, field, min, max);
}

export function requireInt(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SimControlError('invalid_request', `${field} must be an integer between ${min} and ${max}`);
  }
  return value;
}

export function requireString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new SimControlError('invalid_request', `${field} must be a non-empty string`);
  }
  return value;
}

export function optionalString(value: unknown, field: string): string | undefined {
  return value === undefined ? undefined : requireString(value, field);
}

export function requireBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') throw new SimControlError('invalid_request', `${field} must be a boolean`);
  return value;
}

export function parseSeedTrunk(input: unknown): SeedTrunk {
  const o = asObject(input);
  const ref = (value: unknown, field: string) => {
    const r = asObject(value);
    return { id: requireString(r.id, `${field}.id`), name: requireString(r.name, `${field}.name`) };
  };
  if (!Array.isArray(o.proxyAddressList)) {
    throw new SimControlError('invalid_request', 'proxyAddressList must be an array of strings');
  }
  const seed: SeedTrunk = {
    id: requireString(o.id, 'id'),
    name: requireString(o.name, 'name'),
    edge: ref(o.edge, 'edge'),
    trunkBase: ref(o.trunkBase, 'trunkBase'),
    proxyAddressList: o.proxyAddressList.map((p, i) => requireString(p, `proxyAddressList[${i}]`)),
  };
  if (o.trunkType !== undefined) seed.trunkType = oneOf(o.trunkType, ['EXTERNAL', 'PHONE', 'EDGE'] as const, 'trunkType');
  const ipAddress = optionalString(o.ipAddress, 'ipAddress');
  if (ipAddress !== undefined) seed.ipAddress = ipAddress;
  if (o.registersEnabled !== undefined) seed.registersEnabled = requireBoolean(o.registersEnabled, 'registersEnabled');
  if (o.registrationNotSupported !== undefined)
    seed.registrationNotSupported = requireBoolean(o.registrationNotSupported, 'registrationNotSupported');
  if (o.initialState !== undefined) seed.initialState = parseTrunkStateChange(o.initialState);
  return seed;
}

export function parseTrunkStateChange(input: unknown): TrunkStateChange {
  const o = asObject(input);
  const change: TrunkStateChange = { state: oneOf(o.state, trunkHealthStates, 'state') };
  const sipCode = optionalInt(o.sipCode, 'sipCode', 100, 699);
  if (sipCode !== undefined) change.sipCode = sipCode;
  if (o.text !== undefined) change.text = requireString(o.text, 'text');
  if (o.proxyAddress !== undefined) change.proxyAddress = requireString(o.proxyAddress, 'proxyAddress');
  if (o.hostname !== undefined) change.hostname = requireString(o.hostname, 'hostname');
  if (o.connected !== undefined) {
    if (typeof o.connected !== 'boolean') throw new SimControlError('invalid_request', 'connected must be a boolean');
    change.connected = o.connected;
  }
  if (o.sipCodeIn !== undefined) {
    const list = typeof o.sipCodeIn === 'string' ? [o.sipCodeIn] : o.sipCodeIn;
    if (!Array.isArray(list)) throw new SimControlError('invalid_request', 'sipCodeIn must be a string or an array');
    change.sipCodeIn = list.map((p) => oneOf(p, sipCodePlacements, 'sipCodeIn'));
  }
  return change;
}
