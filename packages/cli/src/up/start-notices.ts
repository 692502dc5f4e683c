import type { ReadyService } from './supervisor';

/**
 * What a newcomer should know once the cluster is up: that its data lives in embedded stores (and
 * what that means), and the development admin's credentials when one was created.
 */
export function startNotices(ready: readonly ReadyService[], adminNotice: string | undefined): string[] {
  const notices: string[] = [];
  const backends = ready.flatMap((service) => Object.values(service.stores));
  const pglite = backends.some((backend) => backend.startsWith('pglite'));
  const memory = backends.some((backend) => backend === 'memory');
  if (pglite || memory) {
    const where = [
      pglite ? 'tables in embedded PGlite files (paths above)' : undefined,
      memory ? 'counters and caches in process memory (gone when the services stop)' : undefined,
    ].filter((part) => part !== undefined);
    notices.push(
      `Embedded stores: ${where.join(', ')}. ` +
        'Fine for trying Gatehouse; set DATABASE_URL and REDIS_URL to run on PostgreSQL and Redis.',
    );
  }
  if (adminNotice !== undefined) notices.push(adminNotice);
  return notices;
}
