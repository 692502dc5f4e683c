import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../../../test/support/otlp-receiver';
import { testDatabaseUrl, testRedisUrl, uniqueName } from '../../../test/support/test-env';

const fixture = fileURLToPath(new URL('../../../test/fixtures/dist/traced-roundtrip.js', import.meta.url));
const schema = uniqueName('telemetry');

afterAll(async () => {
  const client = new Client({ connectionString: testDatabaseUrl });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

// Runs the compiled fixture in its own process: only there do the instrumentations load the way
// they do in production (CommonJS require hooks), which is what this test proves.
describe('startTelemetry in a service process', () => {
  it('exports linked client and server spans, with PostgreSQL and Redis spans inside the handler', async () => {
    const receiver = await startOtlpReceiver();
    try {
      await promisify(execFile)(process.execPath, [fixture], {
        timeout: 20_000,
        env: {
          ...process.env,
          OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          DATABASE_URL: testDatabaseUrl,
          DATABASE_SCHEMA: schema,
          REDIS_URL: testRedisUrl,
          REDIS_KEY_PREFIX: `${schema}:`,
          GRPC_HOST: '127.0.0.1',
          OPS_HOST: '127.0.0.1',
        },
      });
      const spans = receiver.spans;
      const client = spans.find(
        (s) => s.kind === 3 && s.name === 'grpc.gatehouse.auth.v1.AuthService/Register',
      );
      const server = spans.find(
        (s) => s.kind === 2 && s.name === 'grpc.gatehouse.auth.v1.AuthService/Register',
      );
      expect(client, JSON.stringify(spans.map((s) => s.name))).toBeDefined();
      expect(server).toBeDefined();
      expect(server?.traceId).toBe(client?.traceId);
      expect(server?.parentSpanId).toBe(client?.spanId);
      expect(server?.service).toBe('gatehouse-traced-roundtrip');

      const inHandler = spans.filter((s) => s.parentSpanId === server?.spanId);
      const pg = inHandler.find((s) => s.name.startsWith('pg.query'));
      const redis = inHandler.find((s) => s.attributes['db.system.name'] === 'redis');
      expect(pg?.attributes['db.system.name']).toBe('postgresql');
      expect(pg?.attributes['db.query.text']).toBe('SELECT 1 AS one');
      expect(redis?.name).toBe('get');
      expect(redis?.attributes['db.query.text']).toBe(`get ${schema}:traced-key`);
      expect(pg?.traceId).toBe(client?.traceId);
    } finally {
      await receiver.close();
    }
  });
});
