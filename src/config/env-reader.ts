import fs from 'node:fs';

/** Reads settings from an environment, collecting every problem instead of stopping at the first. */
export class EnvReader {
  readonly problems: string[] = [];

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly readFile: (path: string) => string = (p) => fs.readFileSync(p, 'utf8'),
  ) {}

  /** A plain setting; empty strings count as unset. */
  string(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  /** A secret: `NAME` or the contents of the file named by `NAME_FILE` (trailing newline dropped). */
  secret(name: string): string | undefined {
    const direct = this.env[name];
    const file = this.string(`${name}_FILE`);
    if (file !== undefined && direct !== undefined && direct !== '') {
      this.problems.push(`${name} and ${name}_FILE are both set; use one`);
      return undefined;
    }
    if (file !== undefined) {
      try {
        const content = this.readFile(file).replace(/\r?\n$/, '');
        if (content === '') this.problems.push(`${name}_FILE (${file}) is empty`);
        return content || undefined;
      } catch (err) {
        this.problems.push(`${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
        return undefined;
      }
    }
    return direct === undefined || direct === '' ? undefined : direct;
  }

  /** The text of the file a setting names (e.g. CALLERS_FILE), with its path; unset → undefined. */
  file(name: string): { path: string; text: string } | undefined {
    const file = this.string(name);
    if (file === undefined) return undefined;
    try {
      return { path: file, text: this.readFile(file) };
    } catch (err) {
      this.problems.push(`${name}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      return undefined;
    }
  }

  required(name: string, value: string | undefined, why = 'is required'): string {
    if (value === undefined) this.problems.push(`${name} ${why}`);
    return value ?? '';
  }

  integer(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    if (!/^-?\d+$/.test(raw)) {
      this.problems.push(`${name} must be a whole number (got "${raw}")`);
      return fallback;
    }
    const value = Number(raw);
    if (range.min !== undefined && value < range.min) this.problems.push(`${name} must be at least ${range.min} (got ${value})`);
    else if (range.max !== undefined && value > range.max) this.problems.push(`${name} must be at most ${range.max} (got ${value})`);
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const value = parseBoolean(raw);
    if (value === undefined) this.problems.push(`${name} must be true or false (got "${raw}")`);
    return value ?? fallback;
  }

  /** One of a fixed set of words (matched case-insensitively, returned as listed). */
  choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const raw = this.string(name);
    if (raw === undefined) return fallback;
    const found = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
    if (found === undefined) this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
    return found ?? fallback;
  }

  /** An absolute http(s) URL without trailing slash; `protocols` narrows the accepted schemes. */
  url(name: string, value: string | undefined, protocols = ['http:', 'https:']): string | undefined {
    if (value === undefined) return undefined;
    const checked = parseUrl(value, protocols);
    if (checked.problem !== undefined) this.problems.push(`${name} ${checked.problem}`);
    return checked.url;
  }

  list(name: string): string[] {
    return (this.string(name) ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
}

/** A yes/no setting's words (`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`, any case); anything else → undefined. */
export function parseBoolean(raw: string): boolean | undefined {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return undefined;
}

/**
 * An absolute URL of one of `protocols`, without trailing slash, or what is wrong with it. The problem
 * never repeats the value: a URL may carry a password.
 */
export function parseUrl(
  value: string,
  protocols = ['http:', 'https:'],
): { url: string; problem?: undefined } | { url?: undefined; problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'is not a valid URL' };
  }
  if (!protocols.includes(url.protocol))
    return { problem: `must be a ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL (got "${url.protocol}")` };
  // Credentials in an http(s) URL would end up in logs; redis: and postgres: URLs carry them by design.
  if ((url.username || url.password) && protocols.includes('http:')) return { problem: 'must not embed credentials' };
  return { url: value.replace(/\/+$/, '') };
}
