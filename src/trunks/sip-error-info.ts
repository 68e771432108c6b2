/**
 * Reading Genesys `errorInfo` objects (`{text, code, details {code, message, hostname}}`) found on a
 * trunk's `registersStatus[]` and `optionsStatus[]` entries. Where Genesys puts the SIP status is
 * unconfirmed (docs/genesys-cloud.md, "Trunks and registration state"), so every place is tried.
 */

interface ErrorInfo {
  text?: unknown;
  code?: unknown;
  details?: { code?: unknown; message?: unknown } | null;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const obj = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;

function asSipCode(v: unknown): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*\d{3}\s*$/.test(v) ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= 100 && n <= 699 ? n : null;
}

function leadingSipCode(v: unknown): number | null {
  const m = typeof v === 'string' ? /^\s*(\d{3})\b/.exec(v) : null;
  return m ? asSipCode(m[1]) : null;
}

/** The SIP code of a failed REGISTER or OPTIONS: `details.code`, then `code`, then a leading three-digit number in `text` or `details.message`. */
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

/** "SIP 403 Forbidden", or the error text when no SIP code is known. */
export function sipAnswerText(sipCode: number | null, errorText: string | null): string {
  if (sipCode === null) return errorText ?? 'no answer';
  if (!errorText) return `SIP ${sipCode}`;
  return errorText.startsWith(String(sipCode)) ? `SIP ${errorText}` : `SIP ${sipCode} ${errorText}`;
}
