/**
 * Structural redaction: any key that names a secret is masked at any depth, the value after a
 * credential-bearing header name is masked wherever it appears (an object key, a raw header list,
 * a header line in a message), and bearer/basic/digest credentials are masked inside strings.
 */
const SECRET_KEY =
  /^(authorization|proxy-authorization|password|passwd|secret|token|access_token|refresh_token|id_token|client_secret|api[-_]?key|x-api-key|cookie|set-cookie)$|secret|password|token$/i;

/** Headers whose whole value is a credential, whatever its shape (no scheme, a token68 with `=`, Digest parameters…). */
const CREDENTIAL_HEADER = /^(authorization|proxy-authorization|x-api-key|cookie|set-cookie)$/i;

// HTTP authentication schemes are case-insensitive: "bearer x" is as secret as "Bearer x".
const INLINE_CREDENTIAL = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
// A credential header written as text ("Authorization: …", "x-api-key=…", `"cookie":"…"`): everything after
// the separator up to the end of the line (or of the quoted value) goes, since its shape says nothing
// about where the secret ends (Digest parameters hold spaces and commas).
const HEADER_TEXT =
  /\b(authorization|proxy-authorization|(?:x-)?api[-_]?key|set-cookie|cookie)(["']?[ \t]*[:=][ \t]*)(?:(["'])(?:(?!\3)[^\\\r\n]|\\.)*\3?|([^\r\n]*))/gi;
/** A well-known scheme in front of a masked header value stays readable: it tells which kind of credential was sent. */
const KNOWN_SCHEME = /^(?:Bearer|Basic|Digest|Negotiate|NTLM)[ \t]+/i;
/** Cheap pre-check: a string without any of these cannot match any pattern. */
const MAY_HOLD_CREDENTIAL = /=|bearer|basic|authoriz|api.?key|cookie/i;
const FORM_SECRET = /\b(access_token|refresh_token|client_secret|password)=[^&\s"]+/gi;

export const REDACTED = '[REDACTED]';

/** True when a property with this name holds a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Masks credentials embedded in free text (headers echoed in messages, form bodies). */
export function redactString(value: string): string {
  // Most strings hold neither pattern: skip the two replacements (every string of every log line comes here).
  if (!MAY_HOLD_CREDENTIAL.test(value)) return value;
  return value
    .replace(
      HEADER_TEXT,
      (_m, name: string, separator: string, quote = '', bare = '') =>
        `${name}${separator}${quote}${KNOWN_SCHEME.exec(bare)?.[0] ?? ''}${REDACTED}${quote}`,
    )
    .replace(INLINE_CREDENTIAL, `$1 ${REDACTED}`)
    .replace(FORM_SECRET, `$1=${REDACTED}`);
}

/**
 * Masks a log entry's own properties in place, as `redact` would mask a copy of it: secret keys,
 * credentials in strings, nested values replaced by masked copies (the originals are left alone).
 */
export function redactEntry(entry: Record<string, unknown>): void {
  let seen: WeakSet<object> | undefined;
  for (const k of Object.keys(entry)) {
    const v = entry[k];
    if (isSecretKey(k) && v !== undefined && v !== null && v !== '') entry[k] = REDACTED;
    else if (typeof v === 'string') entry[k] = redactString(v);
    else if (v !== null && typeof v === 'object') {
      seen ??= new WeakSet<object>([entry]);
      entry[k] = redact(v, seen);
    }
  }
}

/**
 * A raw header list (`req.rawHeaders`: name, value, name, value…) holds a credential right after a
 * credential header's name, and nothing in the value itself says so.
 */
function redactArray(values: unknown[], seen: WeakSet<object>): unknown[] {
  return values.map((v, i) => {
    const previous = values[i - 1];
    if (i > 0 && typeof previous === 'string' && CREDENTIAL_HEADER.test(previous) && v !== undefined && v !== null && v !== '')
      return REDACTED;
    return redact(v, seen);
  });
}

/** Returns a deep copy of `value` with every secret masked; cycles are cut. */
export function redact(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (Array.isArray(value)) return redactArray(value, seen);
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: redactString(value.message) };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    if (value.cause !== undefined) out.cause = redact(value.cause, seen);
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretKey(k) && v !== undefined && v !== null && v !== '' ? REDACTED : redact(v, seen);
  }
  return out;
}
