import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { canConnect } from './can-connect';
import { repoPath } from './spawned-service';

const run = promisify(execFile);

/** A Redis Cluster of one test file (3 masters + 3 replicas), apart from the shared 7000-7005 one. */
export interface OwnRedisCluster {
  readonly ports: readonly number[];
  /** Comma-separated seeds, as REDIS_URL takes them. */
  readonly redisUrl: string;
  /** SIGKILLs the node on `port`, as a crash would. */
  kill(port: number): void;
  stop(): Promise<void>;
}

/**
 * Starts a cluster with scripts/redis-cluster.sh on six free ports (and their bus ports, +10000)
 * with its data in a temporary directory, so a test may kill its nodes without touching the
 * cluster other tests share. `nodeTimeoutMs` is its cluster-node-timeout.
 */
export async function startOwnRedisCluster(options: { nodeTimeoutMs: number }): Promise<OwnRedisCluster> {
  const ports = await freeClusterPorts(6);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-own-cluster-'));
  const env = {
    ...process.env,
    REDIS_CLUSTER_PORTS: ports.join(' '),
    REDIS_CLUSTER_DIR: dir,
    REDIS_CLUSTER_NODE_TIMEOUT: String(options.nodeTimeoutMs),
  };
  const script = repoPath('scripts/redis-cluster.sh');
  const stop = async () => {
    await run('bash', [script, 'stop'], { env }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run('bash', [script, 'start'], { env, timeout: 60_000 });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    ports,
    redisUrl: ports
      .slice(0, 3)
      .map((port) => `redis://127.0.0.1:${port}`)
      .join(','),
    kill: (port) => {
      const pid = Number(readFileSync(join(dir, String(port), 'redis.pid'), 'utf8').trim());
      process.kill(pid, 'SIGKILL');
    },
    stop,
  };
}

/** `count` ports from 20000-29999 that are free, their cluster bus ports (+10000) too. */
async function freeClusterPorts(count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const start = 20_000 + Math.floor(Math.random() * 9_990);
    const ports = Array.from({ length: count }, (_, i) => start + i);
    const busy = await Promise.all(
      ports.flatMap((port) => [
        canConnect('127.0.0.1', port, 200),
        canConnect('127.0.0.1', port + 10_000, 200),
      ]),
    );
    if (!busy.some(Boolean)) return ports;
  }
  throw new Error('no free ports for a Redis Cluster');
}
