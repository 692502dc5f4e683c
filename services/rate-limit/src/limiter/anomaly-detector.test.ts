import { createManualClock } from '@gatehouse/runtime';
import { describe, expect, it } from 'vitest';
import { AnomalyDetector } from './anomaly-detector';
import { CircuitBreaker } from './circuit-breaker';
import { OverLimitCache } from './over-limit-cache';

describe('AnomalyDetector (EWMA, z-score, spike ratio)', () => {
  const setup = () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const detector = new AnomalyDetector({
      clock,
      spikeRatio: 3,
      threshold: 0.8,
      minSamples: 10,
      maxKeys: 100,
    });
    const second = (key: string, hits: number) => {
      let score = 0;
      for (let i = 0; i < hits; i += 1) score = detector.observe(key, 1);
      clock.advance(1000);
      return score;
    };
    return { clock, detector, second };
  };

  it('scores 0 until enough samples, stays low at a steady rate, and flags a 3x spike', () => {
    const { second } = setup();
    for (let i = 0; i < 9; i += 1) expect(second('k', 10 + (i % 3))).toBe(0);
    for (let i = 0; i < 10; i += 1) expect(second('k', 10 + (i % 3))).toBeLessThan(0.5);
    expect(second('k', 40)).toBeGreaterThanOrEqual(0.8);
  });

  it('keeps keys apart and forgets the least recently seen beyond maxKeys', () => {
    const { second, detector } = setup();
    for (let i = 0; i < 12; i += 1) second('a', 5);
    expect(second('b', 50)).toBe(0);
    expect(detector.observe('a', 1)).toBe(0);
  });

  it('beyond maxKeys forgets the key whose last second of use is oldest', () => {
    const clock = createManualClock(Date.UTC(2026, 0, 1));
    const options = { clock, spikeRatio: 3, threshold: 0.8, minSamples: 10, maxKeys: 2 };
    const detector = new AnomalyDetector(options);
    const hits = (key: string, count: number) => {
      let score = 0;
      for (let i = 0; i < count; i += 1) score = detector.observe(key, 1);
      return score;
    };
    for (let i = 0; i < 12; i += 1) {
      hits('a', 5);
      hits('b', 5);
      clock.advance(1000);
    }
    hits('b', 1);
    hits('a', 1); // 'b' and 'a' were both used this second, 'b' first
    hits('c', 1); // a third key: 'b', used longest ago, goes
    expect(hits('a', 40)).toBeGreaterThanOrEqual(0.8); // history kept: the spike scores
    expect(hits('b', 40)).toBe(0); // history gone: a new key scores 0 until minSamples
  });
});

describe('CircuitBreaker', () => {
  it('opens after the threshold, probes once after openMs, closes on success', () => {
    const clock = createManualClock();
    const states: string[] = [];
    const breaker = new CircuitBreaker({
      clock,
      failureThreshold: 2,
      openMs: 100,
      onStateChange: (s) => states.push(s),
    });
    breaker.onFailure();
    expect(breaker.tryAcquire()).toBe(true);
    breaker.onFailure();
    expect(breaker.tryAcquire()).toBe(false);
    clock.advance(100);
    expect(breaker.tryAcquire()).toBe(true);
    expect(breaker.tryAcquire()).toBe(false); // one probe at a time
    breaker.onFailure();
    expect(breaker.tryAcquire()).toBe(false);
    clock.advance(100);
    expect(breaker.tryAcquire()).toBe(true);
    breaker.onSuccess();
    expect(breaker.tryAcquire()).toBe(true);
    expect(states).toEqual(['open', 'half_open', 'open', 'half_open', 'closed']);
  });
});

describe('OverLimitCache', () => {
  it('denies until the stored time, then forgets; bounded', () => {
    const cache = new OverLimitCache(2);
    cache.remember('a', 1000);
    expect(cache.overFor('a', 400)).toBe(600);
    expect(cache.overFor('a', 1000)).toBe(0);
    cache.remember('a', 2000);
    cache.remember('b', 2000);
    cache.remember('c', 2000);
    expect([cache.overFor('a', 0), cache.overFor('b', 0), cache.overFor('c', 0)]).toEqual([0, 2000, 2000]);
  });
});
