import { redactUrl, type EnvReader } from './env-reader';

/** REDIS_CLUSTER: `true` a Redis Cluster, `false` one server, `auto` whichever the server says it is. */
export type RedisClusterSetting = boolean | 'auto';

/** The URLs of a REDIS_URL value: one, or several comma-separated seed nodes of a Redis Cluster. */
export function splitRedisUrls(value: string): string[] {
  return value
    .split(',')
    .map((url) => url.trim())
    .filter((url) => url !== '');
}

/**
 * Reads REDIS_URL and REDIS_CLUSTER together, since each constrains the other: several seeds mean a
 * cluster, and a cluster has only database 0.
 */
export function readRedisSettings(env: EnvReader): { redisUrl?: string; redisCluster: RedisClusterSetting } {
  const redisCluster = readClusterSetting(env);
  const value = env.raw('REDIS_URL');
  if (value === undefined) return { redisUrl: undefined, redisCluster };
  const urls = splitRedisUrls(value);
  const several = urls.length > 1;

  let valid = urls.length > 0;
  const schemes = new Set<string>();
  urls.forEach((url, index) => {
    const parsed = parseUrl(url);
    if (parsed === undefined || !['redis:', 'rediss:'].includes(parsed.protocol) || parsed.host === '') {
      const what = several
        ? `seed ${index + 1} must be a redis:// or rediss:// URL`
        : 'must be a redis:// or rediss:// URL';
      env.fail('REDIS_URL', `${what} with a host, got ${JSON.stringify(redactUrl(url))}`);
      valid = false;
      return;
    }
    schemes.add(parsed.protocol);
    const database = parsed.pathname.replace(/^\//, '');
    if ((several || redisCluster === true) && database !== '' && database !== '0') {
      env.fail(
        'REDIS_URL',
        `a Redis Cluster has only database 0, got /${database} in ${JSON.stringify(redactUrl(url))}`,
      );
      valid = false;
    }
  });
  if (urls.length === 0) {
    env.fail(
      'REDIS_URL',
      `must be a redis:// or rediss:// URL with a host, got ${JSON.stringify(redactUrl(value))}`,
    );
  }
  if (schemes.size > 1) {
    env.fail('REDIS_URL', 'seeds mix redis:// and rediss://; every node of a cluster takes the same one');
    valid = false;
  }
  if (several && redisCluster === false) {
    env.fail(
      'REDIS_URL',
      `lists ${urls.length} seed nodes, but REDIS_CLUSTER=false takes one server; set REDIS_CLUSTER=true or auto`,
    );
    valid = false;
  }
  return { redisUrl: valid ? urls.join(',') : undefined, redisCluster };
}

function readClusterSetting(env: EnvReader): RedisClusterSetting {
  const value = env.raw('REDIS_CLUSTER');
  const lower = value?.toLowerCase();
  if (lower === undefined || lower === 'auto') return 'auto';
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  env.fail('REDIS_CLUSTER', `must be true, false or auto, got ${JSON.stringify(value)}`);
  return 'auto';
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
