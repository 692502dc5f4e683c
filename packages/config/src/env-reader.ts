import { ConfigError, type ConfigProblem } from './config-error';

/** The environment a configuration is read from (process.env in production, a plain object in tests). */
export type Env = Readonly<Record<string, string | undefined>>;

export interface IntegerRule {
  min?: number;
  max?: number;
}

/**
 * Reads typed values out of an environment, collecting every problem instead of stopping at the
 * first, so one start-up attempt reports all of them. Empty strings count as unset.
 */
export class EnvReader {
  private readonly problems: ConfigProblem[] = [];

  constructor(private readonly env: Env) {}

  /** A raw value, or undefined when unset or empty. */
  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  integer(name: string, fallback: number, rule: IntegerRule = {}): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = rule;
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.fail(name, `must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
      return fallback;
    }
    return Number(value);
  }

  port(name: string, fallback: number): number {
    return this.integer(name, fallback, { min: 0, max: 65535 });
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.raw(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    this.fail(name, `must be true or false, got ${JSON.stringify(value)}`);
    return fallback;
  }

  oneOf<const T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.fail(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
    return fallback;
  }

  /** An optional URL whose scheme is one of `protocols` (e.g. ['postgres:', 'postgresql:']). */
  optionalUrl(name: string, protocols: readonly string[]): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (url === undefined || !protocols.includes(url.protocol) || url.host === '') {
      const schemes = protocols.map((p) => `${p}//`).join(' or ');
      this.fail(name, `must be a ${schemes} URL with a host, got ${JSON.stringify(redactUrl(value))}`);
      return undefined;
    }
    return value;
  }

  /** Records a problem found by a caller's own validation. */
  fail(variable: string, message: string): void {
    this.problems.push({ variable, message });
  }

  /** Throws a ConfigError listing every problem, or returns the configuration deeply frozen. */
  finish<T extends object>(config: T): Readonly<T> {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
    return deepFreeze(config);
  }
}

/** Hides a password in something that looks like a URL, so config errors never print secrets. */
export function redactUrl(value: string): string {
  return value.replace(/\/\/([^:/@]+):([^@/]*)@/, '//$1:***@');
}

function deepFreeze<T extends object>(value: T): T {
  // Buffers and other typed arrays cannot be frozen; they are left as they are.
  if (ArrayBuffer.isView(value)) return value;
  for (const child of Object.values(value)) {
    if (child !== null && typeof child === 'object' && !Object.isFrozen(child)) deepFreeze(child);
  }
  return Object.freeze(value);
}
