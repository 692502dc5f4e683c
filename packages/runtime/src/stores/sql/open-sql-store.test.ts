import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testDatabaseUrl } from '../../../../../test/support/test-env';
import { openSqlStore } from './open-sql-store';

describe('openSqlStore', () => {
  const dirs: string[] = [];

  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('opens PostgreSQL when a databaseUrl is given', async () => {
    const store = await openSqlStore({ databaseUrl: testDatabaseUrl, dataDir: '/nonexistent/never-created' });
    try {
      expect(store.kind).toBe('postgres');
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
    await expect(stat('/nonexistent/never-created')).rejects.toThrow('ENOENT');
  });

  it('opens PGlite under dataDir, creating it, when no databaseUrl is given', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gatehouse-open-sql-'));
    dirs.push(root);
    const dataDir = join(root, '.gatehouse', 'auth');

    const store = await openSqlStore({ databaseUrl: '', dataDir });
    try {
      expect(store.kind).toBe('pglite');
      await store.query('CREATE TABLE kept (id integer)');
      await store.query('INSERT INTO kept VALUES (7)');
    } finally {
      await store.close();
    }
    expect((await stat(dataDir)).isDirectory()).toBe(true);

    // The data outlives the process: a new store on the same directory sees it.
    const reopened = await openSqlStore({ dataDir });
    try {
      expect((await reopened.query('SELECT id FROM kept')).rows).toEqual([{ id: 7 }]);
    } finally {
      await reopened.close();
    }
  });
});
