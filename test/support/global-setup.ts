import { canConnect } from './can-connect';
import { testDatabaseUrl, testRedisUrl } from './test-env';

// Fails the run at once, with the fix, when the real stores the tests need are not reachable.
export default async function checkStoresAreUp(): Promise<void> {
  const problems: string[] = [];
  for (const [name, url, start] of [
    [
      'PostgreSQL',
      testDatabaseUrl,
      'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
    ],
    [
      'Redis',
      testRedisUrl,
      'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
    ],
  ] as const) {
    const { hostname, port } = new URL(url);
    const reachable = await canConnect(hostname, Number(port), 2000);
    if (!reachable) {
      problems.push(`${name} is not reachable at ${hostname}:${port} (${url}). Start it with:\n    ${start}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `The tests need real PostgreSQL and Redis.\n  ${problems.join('\n  ')}\n` +
        'Or point GATEHOUSE_TEST_DATABASE_URL / GATEHOUSE_TEST_REDIS_URL at running servers.',
    );
  }
}
