import { describe, expect, it } from 'vitest';
import { configProblems } from '../../../test/support/config-problems';
import { EnvReader, type Env } from './env-reader';
import { readRedisSettings, splitRedisUrls } from './redis-urls';

function read(env: Env) {
  const reader = new EnvReader(env);
  return reader.finish(readRedisSettings(reader));
}

const problemsOf = (env: Env) => configProblems(() => read(env));

describe('readRedisSettings', () => {
  it('is unset, in auto mode, by default', () => {
    expect(read({})).toEqual({ redisUrl: undefined, redisCluster: 'auto' });
  });

  it('keeps one URL as it is, database included', () => {
    expect(read({ REDIS_URL: 'redis://cache:6379/2' })).toEqual({
      redisUrl: 'redis://cache:6379/2',
      redisCluster: 'auto',
    });
  });

  it('reads comma-separated seed nodes, spaces around commas allowed', () => {
    const settings = read({
      REDIS_URL: 'redis://10.0.0.1:7000, redis://10.0.0.2:7000 ,redis://10.0.0.3:7000',
      REDIS_CLUSTER: 'true',
    });
    expect(settings).toEqual({
      redisUrl: 'redis://10.0.0.1:7000,redis://10.0.0.2:7000,redis://10.0.0.3:7000',
      redisCluster: true,
    });
    expect(splitRedisUrls(settings.redisUrl!)).toEqual([
      'redis://10.0.0.1:7000',
      'redis://10.0.0.2:7000',
      'redis://10.0.0.3:7000',
    ]);
  });

  it('reads REDIS_CLUSTER as true, false or auto', () => {
    expect(read({ REDIS_CLUSTER: 'TRUE' }).redisCluster).toBe(true);
    expect(read({ REDIS_CLUSTER: 'no' }).redisCluster).toBe(false);
    expect(read({ REDIS_CLUSTER: 'Auto' }).redisCluster).toBe('auto');
  });

  it('names what is wrong, never echoing a password', () => {
    expect(problemsOf({ REDIS_CLUSTER: 'sometimes' })).toEqual([
      'REDIS_CLUSTER: must be true, false or auto, got "sometimes"',
    ]);
    expect(problemsOf({ REDIS_URL: 'redis://:hunter2@a:7000,http://b:7000' })).toEqual([
      'REDIS_URL: seed 2 must be a redis:// or rediss:// URL with a host, got "http://b:7000"',
    ]);
    expect(problemsOf({ REDIS_URL: 'redis://a:7000,rediss://b:7000' })).toEqual([
      'REDIS_URL: seeds mix redis:// and rediss://; every node of a cluster takes the same one',
    ]);
    expect(problemsOf({ REDIS_URL: 'redis://a:7000,redis://b:7000', REDIS_CLUSTER: 'false' })).toEqual([
      'REDIS_URL: lists 2 seed nodes, but REDIS_CLUSTER=false takes one server; set REDIS_CLUSTER=true or auto',
    ]);
    expect(problemsOf({ REDIS_URL: 'redis://u:s3cret@a:7000/3', REDIS_CLUSTER: 'true' })).toEqual([
      'REDIS_URL: a Redis Cluster has only database 0, got /3 in "redis://u:***@a:7000/3"',
    ]);
    expect(problemsOf({ REDIS_URL: ' , ' })).toEqual([
      'REDIS_URL: must be a redis:// or rediss:// URL with a host, got ","',
    ]);
  });
});
