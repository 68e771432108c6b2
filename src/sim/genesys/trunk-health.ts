import type { GenesysTrunkErrorInfo } from './wire-types.js';

export const trunkHealthStates = ['registered', 'rejected', 'dropped'] as const;
/** The registration situations trunkgate must tell apart (docs/design.md, 'Status endpoints'). */
export type TrunkHealthState = (typeof trunkHealthStates)[number];

export const sipCodePlacements = ['details.code', 'code', 'text', 'details.message'] as const;
/** Where a rejected REGISTER's SIP code is written in `errorInfo` (unconfirmed upstream: docs/genesys-cloud.md, 'Trunks and registration state'). */
export type SipCodePlacement = (typeof sipCodePlacements)[number];

/** A change of one trunk's registration health. */
export interface TrunkStateChange {
  /**
   * `registered` is healthy. On a trunk without registration (DISABLED, NOT_SUPPORTED) the state shows
   * on its SIP OPTIONS pings instead: `rejected` → refused with `sipCode`, `dropped` → unanswered (or
   * answered with `sipCode`, e.g. 408 or 503).
   */
  state: TrunkHealthState;
  /** `rejected`: the SIP status of the answer (default 403); `dropped`: an answer that is no better than none (408, 5xx), else none. */
  sipCode?: number;
  /** `rejected`: reason phrase (default from the SIP code); `dropped`: error text (default "No response to REGISTER" / "No response to OPTIONS"). */
  text?: string;
  /** `rejected`: fields that carry the code (default details.code, code and a leading number in text). */
  sipCodeIn?: SipCodePlacement[];
  /** Apply to one proxy only (default: every proxy of the trunk). */
  proxyAddress?: string;
  /** Override `connectedStatus.connected` (default: true while any REGISTER succeeds). */
  connected?: boolean;
  /** `errorInfo.details.hostname` (default: the proxy's host). */
  hostname?: string;
}

export const DEFAULT_SIP_CODE_PLACEMENT: readonly SipCodePlacement[] = ['details.code', 'code', 'text'];
export const DEFAULT_DROPPED_TEXT = 'No response to REGISTER';

const reasonPhrases: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  480: 'Temporarily Unavailable',
  488: 'Not Acceptable Here',
  500: 'Server Internal Error',
  503: 'Service Unavailable',
  504: 'Server Time-out',
};

export function hostOf(proxyAddress: string): string {
  const bracketed = /^\[([^\]]+)\]/.exec(proxyAddress);
  if (bracketed) return bracketed[1]!;
  return proxyAddress.split(':')[0]!;
}

/** `errorInfo` of a REGISTER answered with an error, the code placed where `change.sipCodeIn` says. */
export function rejectedErrorInfo(change: TrunkStateChange, proxyAddress: string): GenesysTrunkErrorInfo {
  const sip = change.sipCode ?? 403;
  const reason = change.text ?? reasonPhrases[sip] ?? 'Rejected';
  const where = new Set(change.sipCodeIn ?? DEFAULT_SIP_CODE_PLACEMENT);
  const info: GenesysTrunkErrorInfo = { text: where.has('text') ? `${sip} ${reason}` : reason };
  if (where.has('code')) info.code = String(sip);
  info.details = {
    ...(where.has('details.code') ? { code: String(sip) } : {}),
    message: where.has('details.message') ? `${sip} ${reason}` : reason,
    hostname: change.hostname ?? hostOf(proxyAddress),
  };
  return info;
}

/** `errorInfo` of a REGISTER that got no answer (text only, no code anywhere), or an answer no better than none (a `sipCode`). */
export function droppedErrorInfo(change: TrunkStateChange, proxyAddress: string): GenesysTrunkErrorInfo {
  if (change.sipCode !== undefined) return rejectedErrorInfo(change, proxyAddress);
  const text = change.text ?? DEFAULT_DROPPED_TEXT;
  return { text, details: { message: text, hostname: change.hostname ?? hostOf(proxyAddress) } };
}

/** `errorInfo` of a SIP OPTIONS ping on a trunk without registration; undefined when it is answered. */
export function optionsErrorInfo(change: TrunkStateChange, proxyAddress: string): GenesysTrunkErrorInfo | undefined {
  if (change.state === 'registered') return undefined;
  if (change.state === 'rejected') return rejectedErrorInfo(change, proxyAddress);
  // Answered 408/5xx: the reason phrase of that code; no answer at all: no code, only this text.
  return droppedErrorInfo(
    change.sipCode === undefined ? { ...change, text: change.text ?? 'No response to OPTIONS' } : change,
    proxyAddress,
  );
}
