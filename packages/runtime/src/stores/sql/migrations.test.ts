import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readMigrationsDir, readRoutinesDir } from './migrations';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gatehouse-migrations-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readMigrationsDir', () => {
  it('reads NNNN_name.sql files sorted by name, the id being the name without .sql', async () => {
    await writeFile(join(dir, '0002_add_index.sql'), 'CREATE INDEX i ON t (a);');
    await writeFile(join(dir, '0010_later.sql'), 'SELECT 10;');
    await writeFile(join(dir, '0001_create_t.sql'), 'CREATE TABLE t (a integer);');

    await expect(readMigrationsDir(dir)).resolves.toEqual([
      { id: '0001_create_t', sql: 'CREATE TABLE t (a integer);' },
      { id: '0002_add_index', sql: 'CREATE INDEX i ON t (a);' },
      { id: '0010_later', sql: 'SELECT 10;' },
    ]);
  });

  it('resolves no migrations for an empty directory', async () => {
    await expect(readMigrationsDir(dir)).resolves.toEqual([]);
  });

  it.each(['001_short.sql', '0001-dash.sql', '0001_Upper.sql', '0001_name.SQL', 'notes.txt', '0001_.sql'])(
    'rejects the badly named entry %s',
    async (name) => {
      await writeFile(join(dir, '0001_ok.sql'), 'SELECT 1;');
      await writeFile(join(dir, name), 'SELECT 2;');

      await expect(readMigrationsDir(dir)).rejects.toThrow(
        `migration file ${join(dir, name)} is not named NNNN_name.sql (four digits, then lower-case letters, digits and _)`,
      );
    },
  );

  it('skips Markdown notes such as README.md', async () => {
    await writeFile(join(dir, 'README.md'), '# migrations');
    await writeFile(join(dir, '0001_ok.sql'), 'SELECT 1;');

    await expect(readMigrationsDir(dir)).resolves.toEqual([{ id: '0001_ok', sql: 'SELECT 1;' }]);
  });

  it('skips the functions directory, where the routines live', async () => {
    await mkdir(join(dir, 'functions'));
    await writeFile(
      join(dir, 'functions', 'f.sql'),
      'CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;',
    );
    await writeFile(join(dir, '0001_ok.sql'), 'SELECT 1;');

    await expect(readMigrationsDir(dir)).resolves.toEqual([{ id: '0001_ok', sql: 'SELECT 1;' }]);
  });

  it('rejects a directory inside the migrations directory', async () => {
    await mkdir(join(dir, 'old'));

    await expect(readMigrationsDir(dir)).rejects.toThrow(`migration file ${join(dir, 'old')} is not named`);
  });

  it('rejects two files with the same number', async () => {
    await writeFile(join(dir, '0003_a.sql'), 'SELECT 1;');
    await writeFile(join(dir, '0003_b.sql'), 'SELECT 2;');

    await expect(readMigrationsDir(dir)).rejects.toThrow(
      `migration files 0003_a.sql and 0003_b.sql in ${dir} share the number 0003; renumber one`,
    );
  });
});

describe('readRoutinesDir', () => {
  it('reads name.sql files sorted by name, skipping Markdown notes', async () => {
    await writeFile(join(dir, 'second_step.sql'), 'SELECT 2;');
    await writeFile(join(dir, 'first.sql'), 'SELECT 1;');
    await writeFile(join(dir, 'README.md'), '# functions');

    await expect(readRoutinesDir(dir)).resolves.toEqual([
      { name: 'first', sql: 'SELECT 1;' },
      { name: 'second_step', sql: 'SELECT 2;' },
    ]);
  });

  it('resolves no routines when the directory does not exist', async () => {
    await expect(readRoutinesDir(join(dir, 'functions'))).resolves.toEqual([]);
  });

  it.each(['Upper.sql', '1_digit_first.sql', 'dash-name.sql', 'notes.txt'])(
    'rejects the badly named entry %s',
    async (name) => {
      await writeFile(join(dir, name), 'SELECT 1;');

      await expect(readRoutinesDir(dir)).rejects.toThrow(
        `routine file ${join(dir, name)} is not named name.sql (lower-case letters, digits and _)`,
      );
    },
  );
});
