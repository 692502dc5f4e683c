import { budgetV1 } from '@gatehouse/contracts';
import { describe, expect, it } from 'vitest';
import { assertTimeZone, createPeriodCalendar } from './period-calendar';

const { Period } = budgetV1;
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('createPeriodCalendar', () => {
  it('aligns UTC periods to the calendar', () => {
    const utc = createPeriodCalendar('UTC');
    const at = Date.parse('2026-03-18T13:45:12.345Z'); // a Wednesday
    const window = (period: budgetV1.Period) => {
      const w = utc.windowAt(period, at);
      return [iso(w.startMs), iso(w.endMs)];
    };
    expect(window(Period.PERIOD_HOURLY)).toEqual(['2026-03-18T13:00:00.000Z', '2026-03-18T14:00:00.000Z']);
    expect(window(Period.PERIOD_DAILY)).toEqual(['2026-03-18T00:00:00.000Z', '2026-03-19T00:00:00.000Z']);
    expect(window(Period.PERIOD_WEEKLY)).toEqual(['2026-03-16T00:00:00.000Z', '2026-03-23T00:00:00.000Z']);
    expect(window(Period.PERIOD_MONTHLY)).toEqual(['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z']);
    expect(window(Period.PERIOD_TOTAL)).toEqual(['1970-01-01T00:00:00.000Z', undefined]);
  });

  it('starts days at local midnight in a non-UTC zone, across a DST change', () => {
    const ny = createPeriodCalendar('America/New_York');
    // 2026-03-08 is the spring-forward day in New York: EST (-5) before, EDT (-4) after.
    const day = ny.windowAt(Period.PERIOD_DAILY, Date.parse('2026-03-08T12:00:00Z'));
    expect([iso(day.startMs), iso(day.endMs)]).toEqual([
      '2026-03-08T05:00:00.000Z',
      '2026-03-09T04:00:00.000Z',
    ]);
    // 23:59 local on the 7th is still the 7th.
    const before = ny.windowAt(Period.PERIOD_DAILY, Date.parse('2026-03-08T04:59:59Z'));
    expect(iso(before.startMs)).toBe('2026-03-07T05:00:00.000Z');
    const month = ny.windowAt(Period.PERIOD_MONTHLY, Date.parse('2026-03-01T04:00:00Z'));
    expect([iso(month.startMs), iso(month.endMs)]).toEqual([
      '2026-02-01T05:00:00.000Z',
      '2026-03-01T05:00:00.000Z',
    ]);
  });

  it('aligns hours to local hour boundaries in half-hour zones', () => {
    const kolkata = createPeriodCalendar('Asia/Kolkata');
    const hour = kolkata.windowAt(Period.PERIOD_HOURLY, Date.parse('2026-01-01T10:10:00Z'));
    expect([iso(hour.startMs), iso(hour.endMs)]).toEqual([
      '2026-01-01T09:30:00.000Z',
      '2026-01-01T10:30:00.000Z',
    ]);
  });

  it('starts a day that begins in a DST gap at the first instant after the gap', () => {
    // Santiago springs forward at local midnight: 2026-09-06 00:00 does not exist (-04 -> -03).
    const santiago = createPeriodCalendar('America/Santiago');
    const day = santiago.windowAt(Period.PERIOD_DAILY, Date.parse('2026-09-06T15:00:00Z'));
    expect(iso(day.startMs)).toBe('2026-09-06T04:00:00.000Z');
  });

  it('answers every instant as a fresh calendar would, forwards and backwards across DST and month ends', () => {
    const zone = 'America/New_York';
    const kept = createPeriodCalendar(zone);
    const fresh = () => createPeriodCalendar(zone);
    const periods = [Period.PERIOD_HOURLY, Period.PERIOD_DAILY, Period.PERIOD_WEEKLY, Period.PERIOD_MONTHLY];
    const spans = [
      ['2026-03-07T00:00:00Z', '2026-03-10T00:00:00Z'], // spring forward
      ['2026-10-30T00:00:00Z', '2026-11-03T00:00:00Z'], // month end, then fall back
    ];
    const step = 37 * 60_000;
    let compared = 0;
    for (const [from, to] of spans) {
      const instants: number[] = [];
      for (let at = Date.parse(from!); at < Date.parse(to!); at += step) instants.push(at);
      for (const at of [...instants, ...instants.reverse()]) {
        for (const period of periods) {
          expect(kept.windowAt(period, at)).toEqual(fresh().windowAt(period, at));
          compared += 1;
        }
      }
    }
    expect(compared).toBe(4 * 2 * (117 + 156));
  });

  it('rejects unknown zones', () => {
    expect(() => assertTimeZone('Mars/Olympus')).toThrow(RangeError);
    expect(() => assertTimeZone('Europe/Paris')).not.toThrow();
  });
});
