import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { credentials, Metadata } from '@grpc/grpc-js';
import { budgetV1 } from '@gatehouse/contracts';
import { Client } from 'pg';
import { healthCheckCaller } from '../health-check-client';
import { dropBenchKeys } from './ratelimit-bench-service';

export const benchDatabaseUrl =
  process.env.GATEHOUSE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.GATEHOUSE_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const users = 64;

export interface BenchCostBudget {
  /** One Reserve then one Commit (2 RPCs) for the next of 64 users (plus the global scope). */
  reserveCommit(): Promise<void>;
  /**
   * Stops the service, checks the ledger (prints a line under `label`; throws on overspend or a
   * usage row disagreeing with its ledger sum), drops the schema and the Redis keys.
   */
  stop(): Promise<void>;
}

/**
 * The built cost-budget service (`node services/cost-budget/dist/main.js`, its own process as in
 * production) on real PostgreSQL and Redis, in its own schema and key prefix named after `label`.
 * The service batches concurrent reserves and commits into shared transactions.
 */
export async function startBenchCostBudget(label: string): Promise<BenchCostBudget> {
  const schema = `bench_${label.replace(/[^a-z0-9]/g, '_')}_${process.pid}`;
  const prefix = `bench:${label}:${process.pid}:`;
  const [grpcPort, opsPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [resolve(__dirname, '../../../../services/cost-budget/dist/main.js')],
    {
      env: {
        ...process.env,
        GRPC_HOST: '127.0.0.1',
        GRPC_PORT: String(grpcPort),
        OPS_HOST: '127.0.0.1',
        OPS_PORT: String(opsPort),
        DATABASE_URL: benchDatabaseUrl,
        DATABASE_SCHEMA: schema,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
        LOG_LEVEL: 'warn',
        OTEL_SDK_DISABLED: 'true',
        BUDGET_DEFAULT_USER: '1000000000000/daily',
        BUDGET_DEFAULT_GLOBAL: '100000000000000/hourly',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const exited = new Promise((done) => child.once('exit', done));
  const cleanUp = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    try {
      return await checkLedger(schema);
    } finally {
      await dropBenchKeys(prefix, 'single', redisUrl);
    }
  };
  const address = `127.0.0.1:${grpcPort}`;
  try {
    await waitUntilServing(address, child);
  } catch (error) {
    await cleanUp().catch(() => undefined);
    throw error;
  }
  const pairs = reserveCommitCaller(address);
  return {
    reserveCommit: pairs.reserveCommit,
    async stop() {
      pairs.close();
      const report = await cleanUp();
      process.stderr.write(
        `  ${label}: ${report.rows} usage rows, overspend ${report.overspend} micros, ` +
          `${report.disagreements} rows disagreeing with the ledger, ${report.open} holds left open\n`,
      );
      if (report.overspend !== 0n || report.disagreements > 0) {
        throw new Error(`${label}: cost-budget overspend or ledger disagreement (must be 0)`);
      }
    },
  };
}

/**
 * A client of a cost-budget server at `address` making the scenario's pairs: one Reserve of 1 000
 * micros for the next of 64 users (the server adds the global scope), then one Commit of 800.
 */
export function reserveCommitCaller(address: string): { reserveCommit(): Promise<void>; close(): void } {
  const client = new budgetV1.CostBudgetServiceClient(address, credentials.createInsecure());
  const metadata = new Metadata();
  let sequence = 0;
  const unary = <Req, Res>(
    method: (r: Req, m: Metadata, cb: (e: Error | null, r: Res) => void) => unknown,
    request: Req,
  ) =>
    new Promise<Res>((done, fail) =>
      method.call(client, request, metadata, (e, r) => (e ? fail(e) : done(r))),
    );
  return {
    async reserveCommit() {
      sequence += 1;
      const scope = { kind: budgetV1.ScopeKind.SCOPE_KIND_USER, id: `bench-${sequence % users}` };
      const reserved = await unary<budgetV1.ReserveRequest, budgetV1.ReserveResponse>(client.reserve, {
        idempotencyKey: `bench-${process.pid}-${sequence}`,
        scopes: [scope],
        amountMicros: 1000n,
        ttlSeconds: 60,
        description: '',
      });
      await unary<budgetV1.CommitRequest, budgetV1.CommitResponse>(client.commit, {
        reservationId: reserved.reservationId,
        actualMicros: 800n,
      });
    },
    close: () => client.close(),
  };
}

async function checkLedger(schema: string) {
  const pg = new Client({ connectionString: benchDatabaseUrl });
  await pg.connect();
  try {
    const usage = await pg.query<{ rows: string; open: string }>(
      `SELECT count(*)::text AS rows, COALESCE(SUM(reserved_micros), 0)::text AS open FROM "${schema}".scope_usage`,
    );
    // Limits are the defaults above: users 1e12/day, global 1e14/hour.
    const over = await pg.query<{ overspend: string }>(
      `SELECT COALESCE(SUM(GREATEST(0, spent_micros + reserved_micros -
         CASE WHEN scope_kind = 1 THEN 100000000000000 ELSE 1000000000000 END)), 0)::text AS overspend
       FROM "${schema}".scope_usage`,
    );
    const disagreeing = await pg.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM "${schema}".scope_usage u
       LEFT JOIN (SELECT scope_kind, scope_id, period, period_start, SUM(spent_delta) AS s, SUM(reserved_delta) AS r
                  FROM "${schema}".ledger_entries GROUP BY 1, 2, 3, 4) l USING (scope_kind, scope_id, period, period_start)
       WHERE u.spent_micros <> COALESCE(l.s, 0) OR u.reserved_micros <> COALESCE(l.r, 0)`,
    );
    return {
      rows: Number(usage.rows[0]?.rows ?? 0),
      open: usage.rows[0]?.open ?? '0',
      overspend: BigInt(over.rows[0]?.overspend ?? '0'),
      disagreements: Number(disagreeing.rows[0]?.n ?? 0),
    };
  } finally {
    await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pg.end();
  }
}

async function waitUntilServing(address: string, child: ChildProcess): Promise<void> {
  const health = healthCheckCaller(address, 'gatehouse.budget.v1.CostBudgetService');
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (child.exitCode !== null)
        throw new Error(`cost-budget service exited with status ${child.exitCode}`);
      try {
        await health.check();
        return;
      } catch (error) {
        if (Date.now() > deadline)
          throw new Error(`cost-budget service not SERVING within 30 s: ${String(error)}`);
        await new Promise((done) => setTimeout(done, 200));
      }
    }
  } finally {
    health.close();
  }
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}
