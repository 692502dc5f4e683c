import { int64Max, int64Min } from '../domain/money';
import type { ScopeRef } from '../domain/scope';

/** The ledger's SQL answered JSON of a shape this code does not read: a bug, never the caller's input. */
export class UnexpectedSqlJson extends Error {
  constructor(path: string, expected: string, got: unknown) {
    super(
      `unexpected JSON from the ledger's SQL at ${path}: expected ${expected}, got ${JSON.stringify(got)}`,
    );
  }
}

/** A jsonb column's value: it arrives parsed or as text, depending on the driver's type parsers. */
export function parsedJsonb(value: unknown): unknown {
  return typeof value === 'string' ? (JSON.parse(value) as unknown) : value;
}

/**
 * One JSON object the ledger's SQL answered (functions/*.sql), read field by field into typed
 * values: each reader checks its field and throws UnexpectedSqlJson naming the path.
 */
export class SqlJson {
  private constructor(
    private readonly fields: Readonly<Record<string, unknown>>,
    readonly path: string,
  ) {}

  /** A jsonb column's value as an object (see parsedJsonb). */
  static parse(value: unknown, path: string): SqlJson {
    return SqlJson.object(parsedJsonb(value), path);
  }

  static object(value: unknown, path: string): SqlJson {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new UnexpectedSqlJson(path, 'an object', value);
    }
    return new SqlJson(value as Record<string, unknown>, path);
  }

  /** The field as it came, for a value kept opaque (e.g. a recorded response read later). */
  raw(name: string): unknown {
    return this.fields[name];
  }

  string(name: string): string {
    return this.check(name, 'a string', (value): value is string => typeof value === 'string');
  }

  boolean(name: string): boolean {
    return this.check(name, 'true or false', (value): value is boolean => typeof value === 'boolean');
  }

  integer(name: string): number {
    return this.check(name, 'an integer', (value): value is number => Number.isSafeInteger(value));
  }

  nullableInteger(name: string): number | null {
    return this.check(
      name,
      'an integer or null',
      (value): value is number | null => value === null || Number.isSafeInteger(value),
    );
  }

  /** An int64 amount, sent as text so that it keeps every digit. */
  micros(name: string): bigint {
    const text = this.check(
      name,
      'an int64 as text',
      (value): value is string => typeof value === 'string' && /^-?\d{1,19}$/.test(value),
    );
    const micros = BigInt(text);
    if (micros > int64Max || micros < int64Min) throw new UnexpectedSqlJson(this.at(name), 'an int64', text);
    return micros;
  }

  integers(name: string): number[] {
    return this.array(name, (value, path) => {
      if (!Number.isSafeInteger(value)) throw new UnexpectedSqlJson(path, 'an integer', value);
      return value as number;
    });
  }

  /** This object's own `kind` and `id`: a scope. */
  scope(): ScopeRef {
    return { kind: this.integer('kind'), id: this.string('id') };
  }

  object(name: string): SqlJson {
    return SqlJson.object(this.fields[name], this.at(name));
  }

  array<T>(name: string, read: (value: unknown, path: string) => T): T[] {
    const value = this.fields[name];
    if (!Array.isArray(value)) throw new UnexpectedSqlJson(this.at(name), 'an array', value);
    return value.map((element, index) => read(element, `${this.at(name)}[${index}]`));
  }

  private check<T>(name: string, expected: string, is: (value: unknown) => value is T): T {
    const value = this.fields[name];
    if (!is(value)) throw new UnexpectedSqlJson(this.at(name), expected, value);
    return value;
  }

  private at(name: string): string {
    return `${this.path}.${name}`;
  }
}
