import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { testDatabaseUrl, uniqueName } from '../../../../../test/support/test-env';
import { GatehouseError } from '../../errors/gatehouse-error';
import { createPostgresSqlStore, quoteIdentifier } from './postgres-sql-store';
import type { SqlStore } from './sql-store';

// Behaviour of the pg store beyond the SqlStore contract (see sql-store.contract.test.ts).
describe('createPostgresSqlStore', () => {
  const schemas: string[] = [];

  afterAll(async () => {
    const admin = await createPostgresSqlStore({ databaseUrl: testDatabaseUrl });
    try {
      for (const schema of schemas)
        await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    } finally {
      await admin.close();
    }
  });

  async function withStore(schema: string, use: (store: SqlStore) => Promise<void>): Promise<void> {
    schemas.push(schema);
    const store = await createPostgresSqlStore({ databaseUrl: testDatabaseUrl, schema, poolSize: 3 });
    try {
      await use(store);
    } finally {
      await store.close();
    }
  }

  it('creates the schema and makes it the search_path of every pooled connection', async () => {
    const schema = uniqueName('sql_path');
    await withStore(schema, async (store) => {
      const paths = await Promise.all(
        [1, 2, 3].map(() =>
          store.transaction(async (tx) => (await tx.query('SELECT current_schema() AS s')).rows[0]),
        ),
      );

      expect(paths).toEqual([{ s: schema }, { s: schema }, { s: schema }]);
    });
  });

  it('quotes a schema name holding spaces, quotes and upper case', async () => {
    const schema = `${uniqueName('sql_odd')} "Odd" name\\x`;
    await withStore(schema, async (store) => {
      await store.query('CREATE TABLE t (id integer)');

      const found = await store.query(
        'SELECT table_schema FROM information_schema.tables WHERE table_name = $1 AND table_schema = $2',
        ['t', schema],
      );
      expect(found.rows).toEqual([{ table_schema: schema }]);
    });
  });

  it('cancels statements running longer than statementTimeoutMs', async () => {
    const store = await createPostgresSqlStore({ databaseUrl: testDatabaseUrl, statementTimeoutMs: 100 });
    try {
      const cancelled = await store.query('SELECT pg_sleep(2)').catch((error: unknown) => error);
      expect(cancelled).toMatchObject({ code: 'UNAVAILABLE', reason: 'DATABASE_UNAVAILABLE' });
      expect(((cancelled as Error).cause as Error).message).toBe(
        'canceling statement due to statement timeout',
      );
    } finally {
      await store.close();
    }
  });

  it('fails with the server named when PostgreSQL is not reachable', async () => {
    const outcome = createPostgresSqlStore({
      databaseUrl: 'postgres://postgres:secret@127.0.0.1:1/test',
      schema: 'unreachable',
      connectTimeoutMs: 500,
    });

    await expect(outcome).rejects.toThrow(
      /^could not create schema "unreachable" on PostgreSQL at 127\.0\.0\.1:1\/test: /,
    );
    await expect(outcome).rejects.not.toThrow(/secret/);
  });

  it('answers UNAVAILABLE naming the database when the server refuses connections', async () => {
    const store = await createPostgresSqlStore({ databaseUrl: 'postgres://postgres@127.0.0.1:1/test' });
    try {
      const refused = await store.query('SELECT 1').catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(GatehouseError);
      expect(refused).toMatchObject({ code: 'UNAVAILABLE', reason: 'DATABASE_UNAVAILABLE' });
      expect((refused as Error).message).toMatch(/database/);
      const inTransaction = await store.transaction(async () => 1).catch((error: unknown) => error);
      expect(inTransaction).toMatchObject({ code: 'UNAVAILABLE', reason: 'DATABASE_UNAVAILABLE' });
    } finally {
      await store.close();
    }
  });

  it('gives up on a server that accepts connections but never answers, within its timeouts', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const store = await createPostgresSqlStore({
      databaseUrl: `postgres://postgres@127.0.0.1:${port}/test`,
      connectTimeoutMs: 300,
      statementTimeoutMs: 300,
    });
    try {
      const started = performance.now();
      const hung = await store.query('SELECT 1').catch((error: unknown) => error);
      expect(hung).toMatchObject({ code: 'UNAVAILABLE', reason: 'DATABASE_UNAVAILABLE' });
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      await store.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('passes other errors through unchanged', async () => {
    await withStore(uniqueName('sql_err'), async (store) => {
      const wrong = await store.query('SELEC 1').catch((error: unknown) => error);
      expect(wrong).not.toBeInstanceOf(GatehouseError);
      expect((wrong as { code?: string }).code).toBe('42601');
    });
  });
});
