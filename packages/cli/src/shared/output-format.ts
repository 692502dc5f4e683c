/** Renders rows as a left-aligned table, columns two spaces apart, no trailing spaces. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].map((text) => `${text}\n`).join('');
}

/** JSON for scripts: bigint as decimal strings, Dates as ISO strings, two-space indent. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item), 2)}\n`;
}

/** An optional time as ISO-8601 (seconds precision), or "-". */
export function formatTime(time: Date | undefined): string {
  if (time === undefined || Number.isNaN(time.getTime())) return '-';
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A list as "a,b", or "-" when empty. */
export function formatList(items: readonly string[]): string {
  return items.length === 0 ? '-' : items.join(',');
}

/** Strips a protobuf enum name's prefix: ("HEALTH_STATUS_SERVING", "HEALTH_STATUS_") -> "SERVING". */
export function enumLabel(name: string, prefix: string): string {
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/**
 * A message as proto3 JSON (enum names, int64 as strings, ISO times) that keeps fields holding
 * their default value, which ts-proto's toJSON leaves out: scripts can read `remaining: 0`.
 */
export function messageJson<M>(type: { toJSON(message: M): unknown }, message: M): unknown {
  return withDefaults(message, type.toJSON(message));
}

function withDefaults(raw: unknown, json: unknown): unknown {
  if (json !== undefined && (typeof json !== 'object' || json === null)) return json;
  if (raw instanceof Date) return raw.toISOString();
  if (typeof raw === 'bigint') return raw.toString();
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
  if (Array.isArray(raw)) {
    const items = Array.isArray(json) ? (json as unknown[]) : [];
    return raw.map((item, index) => withDefaults(item, items[index]));
  }
  if (typeof raw === 'object' && raw !== null) {
    const present = (json ?? {}) as Record<string, unknown>;
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (value === undefined) continue;
      result[key] = withDefaults(value, present[key]);
    }
    return result;
  }
  return json ?? raw;
}
