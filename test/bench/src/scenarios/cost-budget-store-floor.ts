import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { Client } from 'pg';
import type { ScenarioReference } from '../scenario';
import { benchDatabaseUrl, reserveCommitCaller } from './cost-budget-bench-service';

/**
 * The Reserve + Commit pair's floor with its store: a bare grpc-js server in its own process (as
 * the service runs in the scenario) whose Reserve and Commit answer once their turn's fewest
 * PostgreSQL writes have committed (cost-budget-store-floor-sql.ts), turns formed by the service's
 * batcher. It is the contract plus the durable record no Reserve or Commit can skip; what the
 * service adds to it is admission, idempotency checks, answers with balances, events, hot counters
 * and its host.
 */
export const reserveCommitStoreFloor: ScenarioReference = {
  name: 'cost-budget-store-floor',
  summary:
    'bare grpc-js server (own process) answering Reserve then Commit after their fewest PostgreSQL writes',
  async setup() {
    const schema = `bench_store_floor_${process.pid}`;
    const child = fork(resolve(__dirname, 'cost-budget-store-floor-server.js'), [], {
      env: { ...process.env, DATABASE_URL: benchDatabaseUrl, DATABASE_SCHEMA: schema },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const exited = new Promise((done) => child.once('exit', done));
    const dropSchema = async () => {
      const pg = new Client({ connectionString: benchDatabaseUrl });
      await pg.connect();
      try {
        await pg.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await pg.end();
      }
    };
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      await dropSchema();
    };
    const port = await new Promise<number>((done, fail) => {
      child.once('message', (message: { port: number }) => done(message.port));
      child.once('exit', (status) => fail(new Error(`cost-budget store floor exited with status ${status}`)));
    }).catch(async (error: unknown) => {
      await stop();
      throw error;
    });
    const pairs = reserveCommitCaller(`127.0.0.1:${port}`);
    return {
      call: pairs.reserveCommit,
      async teardown() {
        pairs.close();
        await stop();
      },
    };
  },
};
