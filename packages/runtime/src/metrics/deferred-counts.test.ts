import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { deferredCount, DeferredCounter, flushDeferredCounts } from './deferred-counts';

function counterIn(registry: Registry) {
  return new Counter({
    name: 'things_total',
    help: 'Things.',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      flushDeferredCounts(this);
    },
  });
}

describe('deferredCount', () => {
  it('reaches the counter at scrape time, once, and creates no series before its first count', async () => {
    const registry = new Registry();
    const counter = counterIn(registry);
    const apples = deferredCount(counter, { kind: 'apple' });
    const pears = deferredCount(counter, { kind: 'pear' });
    expect(await registry.metrics()).not.toContain('things_total{');
    apples.inc();
    apples.inc();
    pears.inc();
    const first = await registry.metrics();
    expect(first).toContain('things_total{kind="apple"} 2');
    expect(first).toContain('things_total{kind="pear"} 1');
    apples.inc();
    const second = await registry.metrics();
    expect(second).toContain('things_total{kind="apple"} 3');
    expect(second).toContain('things_total{kind="pear"} 1');
  });

  it('adds to counts made directly on the counter', async () => {
    const registry = new Registry();
    const counter = counterIn(registry);
    counter.inc({ kind: 'apple' }, 5);
    deferredCount(counter, { kind: 'apple' }).inc();
    expect(await registry.metrics()).toContain('things_total{kind="apple"} 6');
  });
});

describe('DeferredCounter', () => {
  it('counts each distinct label set in its own series, values with separators kept apart', async () => {
    const registry = new Registry();
    const counter = new Counter({
      name: 'pairs_total',
      help: 'Pairs.',
      labelNames: ['a', 'b'],
      registers: [registry],
      collect() {
        flushDeferredCounts(this);
      },
    });
    const pairs = new DeferredCounter(counter, ['a', 'b']);
    pairs.inc({ a: 'x', b: 'y' });
    pairs.inc({ b: 'y', a: 'x' });
    pairs.inc({ a: 'x y', b: '' });
    pairs.inc({ a: 'x', b: ' y' });
    const text = await registry.metrics();
    expect(text).toContain('pairs_total{a="x",b="y"} 2');
    expect(text).toContain('pairs_total{a="x y",b=""} 1');
    expect(text).toContain('pairs_total{a="x",b=" y"} 1');
    pairs.inc({ a: 'x', b: 'y' });
    expect(await registry.metrics()).toContain('pairs_total{a="x",b="y"} 3');
  });
});
