import { budgetV1 } from '@gatehouse/contracts';

const { Period } = budgetV1;

/** One budget period: [startMs, endMs); endMs is undefined for PERIOD_TOTAL, which never resets. */
export interface PeriodWindow {
  readonly period: budgetV1.Period;
  readonly startMs: number;
  readonly endMs: number | undefined;
}

/** Computes calendar-aligned period windows in one IANA time zone. */
export interface PeriodCalendar {
  readonly timeZone: string;
  windowAt(period: budgetV1.Period, atMs: number): PeriodWindow;
}

interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const hourMs = 3_600_000;

/**
 * Periods are aligned to the wall clock of `timeZone`: days start at local midnight, weeks on Monday,
 * months on the 1st. Wall times that do not exist (a DST gap) map to the first instant after them.
 * Hours are aligned to local hour boundaries (so +05:30 zones start hours at :30 UTC).
 */
export function createPeriodCalendar(timeZone: string): PeriodCalendar {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const wallTimeAt = (ms: number): WallTime => {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(ms))) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    return {
      year: parts.year ?? 1970,
      month: parts.month ?? 1,
      day: parts.day ?? 1,
      hour: parts.hour ?? 0,
      minute: parts.minute ?? 0,
      second: parts.second ?? 0,
    };
  };
  /** Local offset (wall clock minus UTC) at an instant, in ms. */
  const offsetAt = (ms: number): number => {
    const wall = wallTimeAt(ms);
    const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
    return asUtc - (ms - (((ms % 1000) + 1000) % 1000));
  };
  /** The instant a local wall time (midnight of a date here) begins. */
  const instantOf = (year: number, month: number, day: number): number => {
    const naive = Date.UTC(year, month - 1, day);
    const firstOffset = offsetAt(naive);
    const first = naive - firstOffset;
    const secondOffset = offsetAt(first);
    if (secondOffset === firstOffset) return first;
    const second = naive - secondOffset;
    if (offsetAt(second) === secondOffset) return second;
    // A DST gap: the wall time does not exist; the period starts at the first instant after it.
    return Math.max(first, second);
  };
  const dayStart = (ms: number, deltaDays = 0): number => {
    const wall = wallTimeAt(ms);
    const date = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + deltaDays));
    return instantOf(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
  };

  const computeWindow = (period: budgetV1.Period, atMs: number): PeriodWindow => {
    switch (period) {
      case Period.PERIOD_HOURLY: {
        const wall = wallTimeAt(atMs);
        const startMs = atMs - (((atMs % 1000) + 1000) % 1000) - (wall.minute * 60 + wall.second) * 1000;
        return { period, startMs, endMs: startMs + hourMs };
      }
      case Period.PERIOD_DAILY:
        return { period, startMs: dayStart(atMs), endMs: dayStart(atMs, 1) };
      case Period.PERIOD_WEEKLY: {
        const wall = wallTimeAt(atMs);
        const weekday = new Date(Date.UTC(wall.year, wall.month - 1, wall.day)).getUTCDay();
        const sinceMonday = (weekday + 6) % 7;
        return { period, startMs: dayStart(atMs, -sinceMonday), endMs: dayStart(atMs, 7 - sinceMonday) };
      }
      case Period.PERIOD_MONTHLY: {
        const wall = wallTimeAt(atMs);
        const next = new Date(Date.UTC(wall.year, wall.month, 1));
        return {
          period,
          startMs: instantOf(wall.year, wall.month, 1),
          endMs: instantOf(next.getUTCFullYear(), next.getUTCMonth() + 1, 1),
        };
      }
      default:
        return { period: Period.PERIOD_TOTAL, startMs: 0, endMs: undefined };
    }
  };

  // Every Reserve batch asks for the window of each period; computing one takes several
  // time-zone conversions (tens of µs). The last window of each period serves every instant in it.
  const lastWindow = new Map<budgetV1.Period, PeriodWindow>();
  return {
    timeZone,
    windowAt(period, atMs) {
      const last = lastWindow.get(period);
      if (last !== undefined && atMs >= last.startMs && (last.endMs === undefined || atMs < last.endMs)) {
        return last;
      }
      const window = computeWindow(period, atMs);
      lastWindow.set(period, window);
      return window;
    },
  };
}

/** Throws a RangeError when the runtime does not know the IANA time zone. */
export function assertTimeZone(timeZone: string): void {
  new Intl.DateTimeFormat('en-US', { timeZone });
}
