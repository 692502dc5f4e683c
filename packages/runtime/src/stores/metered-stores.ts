import { Counter, Histogram, type Registry } from 'prom-client';
import type { ServiceMetrics } from '../metrics/service-metrics';
import { storeErrorReason } from './store-error-reason';
import type { IncrementOptions, KeyValueStore, SetOptions } from './kv/key-value-store';
import type { SqlExecutor, SqlStore } from './sql/sql-store';

type Timed = <A extends unknown[], R>(
  operation: string,
  run: (...args: A) => Promise<R>,
) => (...args: A) => Promise<R>;

/**
 * `store_errors_total{store, operation, reason}` on a registry, created once: the runtime's stores
 * and a service's own (the rate-limit counters) count into the same series.
 */
export function storeErrorsCounter(registry: Registry): Counter<'store' | 'operation' | 'reason'> {
  const existing = registry.getSingleMetric('store_errors_total');
  if (existing !== undefined) return existing as Counter<'store' | 'operation' | 'reason'>;
  return new Counter({
    name: 'store_errors_total',
    help: 'Store operations that failed, by reason: a Redis error word (moved, noauth, wrongtype, readonly, ...), timeout, connection, reply_error or error.',
    labelNames: ['store', 'operation', 'reason'],
    registers: [registry],
  });
}

/**
 * Store latencies and errors per store and operation: `store_operation_seconds` and
 * `store_errors_total` on the service's registry. Readiness pings and subscriptions are not counted.
 */
export function meterStores(metrics: ServiceMetrics): {
  sql(store: SqlStore): SqlStore;
  keyValue(store: KeyValueStore): KeyValueStore;
} {
  const seconds = new Histogram({
    name: 'store_operation_seconds',
    help: 'Time of one store operation (an SQL statement or transaction, a key-value command), in seconds.',
    labelNames: ['store', 'operation'],
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [metrics.registry],
  });
  const errors = storeErrorsCounter(metrics.registry);
  const timedFor =
    (store: string): Timed =>
    (operation, run) => {
      // Children bound once per operation: store calls sit on every hot path.
      const observe = seconds.labels({ store, operation });
      return async (...args) => {
        const started = process.hrtime.bigint();
        try {
          return await run(...args);
        } catch (error) {
          errors.inc({ store, operation, reason: storeErrorReason(error) });
          throw error;
        } finally {
          observe.observe(Number(process.hrtime.bigint() - started) / 1e9);
        }
      };
    };
  return {
    sql: (store) => {
      const timed = timedFor(store.kind);
      return {
        kind: store.kind,
        query: timed('query', (text: string, params?: readonly unknown[]) =>
          store.query(text, params),
        ) as SqlStore['query'],
        transaction: timed('transaction', (work: (tx: SqlExecutor) => Promise<unknown>) =>
          store.transaction(work),
        ) as SqlStore['transaction'],
        ping: () => store.ping(),
        close: () => store.close(),
      };
    },
    keyValue: (store) => {
      const timed = timedFor(store.kind);
      return {
        kind: store.kind,
        cluster: store.cluster,
        get: timed('get', (key: string) => store.get(key)),
        set: timed('set', (key: string, value: string, options?: SetOptions) =>
          store.set(key, value, options),
        ),
        delete: timed('delete', (key: string) => store.delete(key)),
        exists: timed('exists', (key: string) => store.exists(key)),
        incrementBy: timed('increment', (key: string, delta: number, options?: IncrementOptions) =>
          store.incrementBy(key, delta, options),
        ),
        ttlMs: timed('ttl', (key: string) => store.ttlMs(key)),
        expire: timed('expire', (key: string, ttlMs: number) => store.expire(key, ttlMs)),
        publish: timed('publish', (channel: string, message: string) => store.publish(channel, message)),
        subscribe: (channel, onMessage) => store.subscribe(channel, onMessage),
        ping: () => store.ping(),
        close: () => store.close(),
      };
    },
  };
}
