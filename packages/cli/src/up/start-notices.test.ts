import { describe, expect, it } from 'vitest';
import { startNotices } from './start-notices';
import type { ReadyService } from './supervisor';

function ready(name: string, stores: Record<string, string>): ReadyService {
  return { name, grpcAddress: '', opsUrl: '', grpcPort: 1, opsPort: 2, stores };
}

describe('startNotices', () => {
  it('explains the embedded stores and shows the development admin', () => {
    const notices = startNotices(
      [ready('auth', { sql: 'pglite .gatehouse/auth', kv: 'memory' }), ready('health', {})],
      'Development admin: a / b',
    );
    expect(notices).toEqual([
      'Embedded stores: tables in embedded PGlite files (paths above), counters and caches in process ' +
        'memory (gone when the services stop). Fine for trying Gatehouse; set DATABASE_URL and ' +
        'REDIS_URL to run on PostgreSQL and Redis.',
      'Development admin: a / b',
    ]);
  });

  it('says nothing of stores on PostgreSQL and Redis', () => {
    const notices = startNotices(
      [ready('auth', { sql: 'postgres (schema gatehouse_auth)', kv: 'redis (prefix gh:auth:)' })],
      undefined,
    );
    expect(notices).toEqual([]);
  });

  it('names only the embedded store in use', () => {
    const [notice] = startNotices([ready('rate-limit', { kv: 'memory' })], undefined);
    expect(notice).toMatch(/^Embedded stores: counters and caches in process memory \(gone when/);
  });
});
