/**
 * The one place that reads a Genesys `Trunk` (or a `v2.telephony.providers.edges.trunks.{id}`
 * notification, which carries the same health fields) and decides what state the trunk is in.
 * Everything else in trunkgate works with `TrunkObservation`, never with the wire shape.
 * Sources for every field: docs/genesys-cloud.md, "Trunks and registration state".
 */
import { errorTextOf, sipCodeOf } from './sip-error-info.js';

export { errorTextOf, sipCodeOf } from './sip-error-info.js';

/**
 * What `/v1/trunks` reports: `registered` (every REGISTER answered positively), `connected` (healthy,
 * on a trunk that does not use registration: judged on its connection and SIP OPTIONS), `rejected`,
 * `dropped`, `unknown`.
 */
export const trunkStates = ['registered', 'connected', 'rejected', 'dropped', 'unknown'] as const;
export type TrunkState = (typeof trunkStates)[number];

/** The signal a state was judged on: REGISTER answers, SIP OPTIONS pings, or the connection alone. */
export const trunkSignals = ['registration', 'options', 'connection'] as const;
export type TrunkSignal = (typeof trunkSignals)[number];

/** `registered` and `connected` are healthy: workflows need not know every state. */
export function isHealthyState(state: TrunkState): boolean {
  return state === 'registered' || state === 'connected';
}

/** A trunk's health as seen at one moment. */
export interface TrunkObservation {
  trunkId: string;
  /** Absent in notification events; kept from the last full read by whoever holds trunk state. */
  name: string | null;
  state: TrunkState;
  /** What the state was judged on; null when nothing was reported (`unknown`). */
  signal: TrunkSignal | null;
  /** SIP status of the failing REGISTER or OPTIONS answer (403…), when one is known. */
  sipCode: number | null;
  errorText: string | null;
  proxyAddress: string | null;
  edge: { id: string; name: string | null } | null;
  /** The trunk base (one carrier's settings) this trunk instantiates on its Edge. */
  trunkBase: { id: string; name: string | null } | null;
  connected: boolean | null;
  /** Every REGISTER had a positive answer; null when registration is not used or not reported. */
  registered: boolean | null;
  /** When Genesys says the reported situation began (ISO time), if it says. */
  stateTime: string | null;
}

interface ProbeEntry {
  proxyAddress?: unknown;
  registerState?: unknown;
  registerStateTime?: unknown;
  optionState?: unknown;
  optionStateTime?: unknown;
  errorInfo?: unknown;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
const entries = (v: unknown): ProbeEntry[] => (Array.isArray(v) ? v.map((e) => (obj(e) ?? {}) as ProbeEntry) : []);
const ref = (v: unknown) => {
  const r = obj(v);
  const id = str(r?.id);
  return id ? { id, name: str(r?.name) } : null;
};

/** A REGISTER answered with a 4xx is a rejection (credentials, ACLs…); no answer or a 5xx is a drop. */
function isRegisterRejection(code: number | null): boolean {
  return code !== null && code >= 400 && code < 500;
}

/** An OPTIONS ping answered 408 is as good as unanswered (a timeout, usually generated locally): a drop. */
function isOptionsRejection(code: number | null): boolean {
  return isRegisterRejection(code) && code !== 408;
}

type Base = Pick<TrunkObservation, 'trunkId' | 'name' | 'edge' | 'trunkBase' | 'connected'>;

function failure(
  base: Base,
  state: 'rejected' | 'dropped',
  signal: TrunkSignal,
  entry: ProbeEntry | null,
  fallbackText: string,
  registered: boolean | null,
  time: unknown,
): TrunkObservation {
  return {
    ...base,
    state,
    signal,
    sipCode: entry ? sipCodeOf(entry.errorInfo) : null,
    errorText: (entry && errorTextOf(entry.errorInfo)) ?? fallbackText,
    proxyAddress: entry ? str(entry.proxyAddress) : null,
    registered,
    stateTime: str(time),
  };
}

/** Options of `normaliseTrunk`. */
export interface NormaliseOptions {
  /** The trunk id when the object has none (an event body). */
  fallbackId?: string;
  /**
   * The object may leave fields out that it says nothing about (an event, not a full `Trunk`): a
   * missing `registersStatus` then means "not told", never "registration not used".
   */
  partial?: boolean;
}

/**
 * Normalises a `Trunk` or a trunk topic event. With several proxies the worst one decides (rejected,
 * then dropped), because one proxy refusing us is already worth an incident.
 * - Registration used (`registersStatus` has entries, and `registersEnabledStatus` is not DISABLED or
 *   NOT_SUPPORTED): judged on REGISTER answers, then the connection.
 * - Registration not used (NOT_SUPPORTED — the trunk base has no registration interval, as on BYOC
 *   Cloud trunks —, DISABLED, or an empty `registersStatus`): judged on `connectedStatus` and
 *   `optionsStatus`. OPTIONS unanswered, 408 or 5xx, or disconnected → dropped; another 4xx →
 *   rejected; healthy → `connected`.
 */
export function normaliseTrunk(wire: unknown, options: NormaliseOptions | string = {}): TrunkObservation {
  const o = typeof options === 'string' ? { fallbackId: options } : options;
  const t = obj(wire) ?? {};
  const connectedStatus = obj(t.connectedStatus);
  const connected = typeof connectedStatus?.connected === 'boolean' ? connectedStatus.connected : null;
  const connectedTime = connectedStatus?.connectedStateTime;
  const base: Base = {
    trunkId: str(t.id) ?? o.fallbackId ?? '',
    name: str(t.name),
    edge: ref(t.edge),
    trunkBase: ref(t.trunkBase),
    connected,
  };
  const proxyList = Array.isArray(t.proxyAddressList) ? t.proxyAddressList.filter((p): p is string => typeof p === 'string') : [];
  const registers = entries(t.registersStatus);
  const probes = entries(t.optionsStatus);
  const enabledStatus = str(t.registersEnabledStatus);
  const registrationOff = enabledStatus === 'DISABLED' || enabledStatus === 'NOT_SUPPORTED';
  const notTold = o.partial === true && t.registersStatus === undefined && !registrationOff;
  const registrationUsed = !registrationOff && registers.length > 0;

  if (registrationUsed) {
    if (registers.every((r) => typeof r.registerState !== 'boolean')) {
      return {
        ...base,
        state: 'unknown',
        signal: null,
        sipCode: null,
        errorText: null,
        proxyAddress: str(registers[0]!.proxyAddress),
        registered: null,
        stateTime: null,
      };
    }
    const failing = registers.filter((r) => r.registerState === false);
    const rejected = failing.find((r) => isRegisterRejection(sipCodeOf(r.errorInfo)));
    const worst = rejected ?? failing[0];
    if (worst)
      return failure(
        base,
        rejected ? 'rejected' : 'dropped',
        'registration',
        worst,
        'No positive answer to REGISTER',
        false,
        worst.registerStateTime,
      );
    const first = registers.find((r) => r.registerState === true)!;
    if (connected === false)
      return {
        ...failure(base, 'dropped', 'connection', null, 'Trunk disconnected', true, connectedTime),
        proxyAddress: str(first.proxyAddress),
      };
    return {
      ...base,
      state: 'registered',
      signal: 'registration',
      sipCode: null,
      errorText: null,
      proxyAddress: str(first.proxyAddress),
      registered: true,
      stateTime: str(first.registerStateTime),
    };
  }

  // A topic event has no proxyAddressList; its optionsStatus names the same proxies, so a poll and an
  // event about the same trunk report the same proxy (and no spurious change).
  const proxyAddress = proxyList[0] ?? probes.map((p) => str(p.proxyAddress)).find((p) => p !== null) ?? null;
  const failingProbes = probes.filter((p) => p.optionState === false);
  const refused = failingProbes.find((p) => isOptionsRejection(sipCodeOf(p.errorInfo)));
  if (refused) return failure(base, 'rejected', 'options', refused, 'SIP OPTIONS refused', null, refused.optionStateTime);
  const unanswered = failingProbes[0];
  if (unanswered) return failure(base, 'dropped', 'options', unanswered, 'No answer to SIP OPTIONS', null, unanswered.optionStateTime);
  if (connected === false)
    return { ...failure(base, 'dropped', 'connection', null, 'Trunk disconnected', null, connectedTime), proxyAddress };
  const answered = probes.some((p) => p.optionState === true);
  // Healthy by connection and OPTIONS, but an event that does not say whether registration is used
  // cannot tell `connected` from a registration that is failing: say nothing rather than guess.
  if (notTold || (connected === null && !answered))
    return { ...base, state: 'unknown', signal: null, sipCode: null, errorText: null, proxyAddress, registered: null, stateTime: null };
  const probe = probes.find((p) => p.optionState === true);
  return {
    ...base,
    state: 'connected',
    signal: probe ? 'options' : 'connection',
    sipCode: null,
    errorText: null,
    proxyAddress,
    registered: null,
    stateTime: str(probe?.optionStateTime ?? connectedTime),
  };
}
