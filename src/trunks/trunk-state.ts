/**
 * The one place that reads a Genesys `Trunk` (or a `v2.telephony.providers.edges.trunks.{id}`
 * notification, which carries the same health fields) and decides what state its SIP registration is
 * in. Everything else in trunkgate works with `TrunkObservation`, never with the wire shape.
 */

export const trunkStates = ['registered', 'rejected', 'dropped', 'unknown'] as const;
/** What `/v1/trunks` reports (docs/design.md, 'Status endpoints'). */
export type TrunkState = (typeof trunkStates)[number];

/** A trunk's registration health as seen at one moment. */
export interface TrunkObservation {
  trunkId: string;
  /** Absent in notification events; kept from the last full read by whoever holds trunk state. */
  name: string | null;
  state: TrunkState;
  /** SIP status of the failing REGISTER answer (403…), when one is known. */
  sipCode: number | null;
  errorText: string | null;
  proxyAddress: string | null;
  edge: { id: string; name: string | null } | null;
  connected: boolean | null;
  /** Every REGISTER had a positive answer; null when registration is not used or not reported. */
  registered: boolean | null;
  /** When Genesys says the reported situation began (ISO time), if it says. */
  stateTime: string | null;
}

interface ErrorInfo {
  text?: unknown;
  code?: unknown;
  details?: { code?: unknown; message?: unknown } | null;
}

interface RegisterEntry {
  proxyAddress?: unknown;
  registerState?: unknown;
  registerStateTime?: unknown;
  errorInfo?: ErrorInfo | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const obj = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

function asSipCode(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{3}\s*$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= 100 && n <= 699 ? n : null;
}

function leadingSipCode(v: unknown): number | null {
  const m = typeof v === 'string' ? /^\s*(\d{3})\b/.exec(v) : null;
  return m ? asSipCode(m[1]) : null;
}

/**
 * The SIP code of a failed REGISTER. Where Genesys puts it is unconfirmed (docs/genesys-cloud.md, 'Trunks and registration state'):
 * `details.code`, then `code`, then a leading three-digit number in `text` or `details.message`.
 */
export function sipCodeOf(errorInfo: unknown): number | null {
  const info = obj(errorInfo) as ErrorInfo | null;
  if (!info) return null;
  const details = obj(info.details) as ErrorInfo['details'];
  return asSipCode(details?.code) ?? asSipCode(info.code) ?? leadingSipCode(info.text) ?? leadingSipCode(details?.message);
}

/** The human text of an errorInfo: `text`, else `details.message`. */
export function errorTextOf(errorInfo: unknown): string | null {
  const info = obj(errorInfo) as ErrorInfo | null;
  if (!info) return null;
  return str(info.text) ?? str((obj(info.details) as ErrorInfo['details'])?.message);
}

/** A REGISTER answered with a 4xx is a rejection (credentials, ACLs…); no answer or a 5xx is a drop. */
function isRejection(code: number | null): boolean {
  return code !== null && code >= 400 && code < 500;
}

/**
 * Normalises a `Trunk` or a trunk topic event. With several proxies the worst one decides
 * (rejected, then dropped), because one proxy refusing our credentials is already worth an incident.
 * When registration is DISABLED or NOT_SUPPORTED the trunk is judged by `connectedStatus` alone.
 */
export function normaliseTrunk(wire: unknown, fallbackId?: string): TrunkObservation {
  const t = obj(wire) ?? {};
  const trunkId = str(t.id) ?? fallbackId ?? '';
  const edgeRef = obj(t.edge);
  const connectedStatus = obj(t.connectedStatus);
  const connected = typeof connectedStatus?.connected === 'boolean' ? connectedStatus.connected : null;
  const connectedTime = str(connectedStatus?.connectedStateTime);
  const proxyList = Array.isArray(t.proxyAddressList) ? t.proxyAddressList.filter((p): p is string => typeof p === 'string') : [];
  const registers = (Array.isArray(t.registersStatus) ? t.registersStatus : []).map((r) => (obj(r) ?? {}) as RegisterEntry);
  const enabledStatus = str(t.registersEnabledStatus);
  const registrationUsed = enabledStatus === 'DISABLED' || enabledStatus === 'NOT_SUPPORTED' ? false : registers.length > 0;

  const base = {
    trunkId,
    name: str(t.name),
    edge: edgeRef && str(edgeRef.id) ? { id: str(edgeRef.id)!, name: str(edgeRef.name) } : null,
    connected,
  };

  if (!registrationUsed) {
    // A topic event has no proxyAddressList; its optionsStatus names the same proxies, so a poll and an
    // event about the same trunk report the same proxy (and no spurious change).
    const optionsProxy = (Array.isArray(t.optionsStatus) ? t.optionsStatus : []).map((o) => str(obj(o)?.proxyAddress)).find((p) => p !== null);
    const proxyAddress = proxyList[0] ?? optionsProxy ?? null;
    if (connected === null) return { ...base, state: 'unknown', sipCode: null, errorText: null, proxyAddress, registered: null, stateTime: null };
    return {
      ...base,
      state: connected ? 'registered' : 'dropped',
      sipCode: null,
      errorText: connected ? null : 'Trunk disconnected (registration not used on this trunk)',
      proxyAddress,
      registered: null,
      stateTime: connectedTime,
    };
  }

  if (registers.every((r) => typeof r.registerState !== 'boolean')) {
    return { ...base, state: 'unknown', sipCode: null, errorText: null, proxyAddress: str(registers[0]!.proxyAddress), registered: null, stateTime: null };
  }
  const failing = registers.filter((r) => r.registerState === false);
  const rejected = failing.find((r) => isRejection(sipCodeOf(r.errorInfo)));
  const worst = rejected ?? failing[0];
  if (worst) {
    const sipCode = sipCodeOf(worst.errorInfo);
    return {
      ...base,
      state: rejected ? 'rejected' : 'dropped',
      sipCode,
      errorText: errorTextOf(worst.errorInfo) ?? 'No positive answer to REGISTER',
      proxyAddress: str(worst.proxyAddress),
      registered: false,
      stateTime: str(worst.registerStateTime),
    };
  }
  const first = registers.find((r) => r.registerState === true)!;
  if (connected === false) {
    return { ...base, state: 'dropped', sipCode: null, errorText: 'Trunk disconnected', proxyAddress: str(first.proxyAddress), registered: true, stateTime: connectedTime };
  }
  return { ...base, state: 'registered', sipCode: null, errorText: null, proxyAddress: str(first.proxyAddress), registered: true, stateTime: str(first.registerStateTime) };
}
