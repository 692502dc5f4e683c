import { Counter, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { deferredCount, flushDeferredCounts } from './deferred-counts';

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
