/** Envoy ratelimit units and their lengths in ms (month = 30 days, year = 365 days, as Envoy counts). */
export const unitMs: Readonly<Record<string, number>> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
  year: 365 * 86_400_000,
};

const suffixMs: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Parses "90s", "1.5m", "250ms", "2h", "1d", "1w" (or a bare number of ms); undefined when invalid. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/.exec(text.trim());
  if (match === null) return undefined;
  const value = Number(match[1]) * (suffixMs[match[2] ?? 'ms'] ?? 1);
  return Number.isFinite(value) && value >= 1 ? Math.round(value) : undefined;
}

/** The shortest label of a duration: 60000 -> "1m", 90000 -> "90s", 1500 -> "1500ms". */
export function formatDuration(ms: number): string {
  for (const [suffix, size] of [
    ['w', suffixMs.w],
    ['d', suffixMs.d],
    ['h', suffixMs.h],
    ['m', suffixMs.m],
    ['s', suffixMs.s],
  ] as const) {
    if (size !== undefined && ms % size === 0) return `${ms / size}${suffix}`;
  }
  return `${ms}ms`;
}

/** The Envoy unit whose length is exactly `ms`, if any. */
export function unitOf(ms: number): string | undefined {
  return Object.entries(unitMs).find(([, size]) => size === ms)?.[0];
}
