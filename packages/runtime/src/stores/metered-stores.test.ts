import { describe, expect, it } from 'vitest';
import { createServiceMetrics } from '../metrics/service-metrics';
import { createMemoryKeyValueStore } from './kv/memory-key-value-store';
import { meterStores } from './metered-stores';
import type { SqlStore } from './sql/sql-store';

const sample = async (metrics: ReturnType<typeof createServiceMetrics>, name: string, labels: object) => {
  const metric = await metrics.registry.getSingleMetric(name)!.get();
  return metric.values.find((value) => Object.entries(labels).every(([k, v]) => value.labels[k] === v))
    ?.value;
};

describe('meterStores', () => {
  it('times each key-value operation by store and operation, and passes results through', async () => {
    const metrics = createServiceMetrics({ service: 'test', processMetrics: false });
    const kv = meterStores(metrics).keyValue(createMemoryKeyValueStore());
    expect(kv.kind).toBe('memory');
    await kv.set('a', '1');
    expect(await kv.get('a')).toBe('1');
    expect(await kv.incrementBy('n', 5)).toBe(5);
    await kv.get('missing');
    expect(
      await sample(metrics, 'store_operation_seconds', { store: 'memory', operation: 'get', le: '+Inf' }),
    ).toBe(2);
    expect(
      await sample(metrics, 'store_operation_seconds', {
        store: 'memory',
        operation: 'increment',
        le: '+Inf',
      }),
    ).toBe(1);
    await kv.close();
  });

  it('counts a failing SQL statement as an error and still rejects with it', async () => {
    const metrics = createServiceMetrics({ service: 'test', processMetrics: false });
    const broken = new Error('connection terminated');
    const failing: SqlStore = {
      kind: 'postgres',
      query: async () => {
        throw broken;
      },
      transaction: async (work) => work({ query: async () => ({ rows: [], rowCount: 0 }) }),
      ping: async () => undefined,
      close: async () => undefined,
    };
    const sql = meterStores(metrics).sql(failing);
    await expect(sql.query('SELECT 1')).rejects.toBe(broken);
    expect(await sql.transaction(async () => 'done')).toBe('done');
    expect(
      await sample(metrics, 'store_errors_total', { store: 'postgres', operation: 'query', reason: 'error' }),
    ).toBe(1);
    expect(await sample(metrics, 'store_errors_total', { store: 'postgres', operation: 'transaction' })).toBe(
      undefined,
    );
    expect(
      await sample(metrics, 'store_operation_seconds', {
        store: 'postgres',
        operation: 'transaction',
        le: '+Inf',
      }),
    ).toBe(1);
  });

  it("labels a key-value error with Redis's reason", async () => {
    const metrics = createServiceMetrics({ service: 'test', processMetrics: false });
    const inner = createMemoryKeyValueStore();
    const reply = Object.assign(
      new Error('WRONGTYPE Operation against a key holding the wrong kind of value'),
      {
        name: 'ReplyError',
      },
    );
    const kv = meterStores(metrics).keyValue({
      ...inner,
      kind: 'redis',
      get: async () => Promise.reject(reply),
    });
    await expect(kv.get('k')).rejects.toBe(reply);
    await expect(kv.get('k')).rejects.toBe(reply);
    expect(
      await sample(metrics, 'store_errors_total', { store: 'redis', operation: 'get', reason: 'wrongtype' }),
    ).toBe(2);
    await inner.close();
  });
});
