/**
 * The store floor's server, run in its own process (as the cost-budget service is in the scenario):
 * a bare grpc-js server answering Reserve and Commit once their turn's fewest PostgreSQL writes
 * (cost-budget-store-floor-sql.ts: the service's own lock and record steps) have committed. Turns are formed by the service's own batcher.
 * Reads DATABASE_URL and DATABASE_SCHEMA; tells its parent its port over IPC.
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import {
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { budgetV1 } from '@gatehouse/contracts';
import { createPostgresSqlStore, runMigrationsDir } from '@gatehouse/runtime';
import { balance } from './contract-floors';
import { floorTurnParams, storeFloorTurnFunction, type FloorOperation } from './cost-budget-store-floor-sql';

interface BatcherModule {
  createBatcher<Item, Outcome>(options: {
    run(items: readonly Item[]): Promise<Outcome[]>;
    maxBatch: number;
    maxInFlight?: number;
    evenGroups?: boolean;
  }): { submit(item: Item): Promise<Outcome> };
}

const service = resolve(__dirname, '..', '..', '..', '..', 'services', 'cost-budget');
const { ScopeKind } = budgetV1;
const globalScope = { kind: ScopeKind.SCOPE_KIND_GLOBAL, id: '' };

async function main(): Promise<void> {
  const sql = await createPostgresSqlStore({
    databaseUrl: process.env.DATABASE_URL!,
    schema: process.env.DATABASE_SCHEMA!,
  });
  await runMigrationsDir(sql, join(service, 'migrations'));
  await sql.query(storeFloorTurnFunction);
  // What each open reservation holds, for its Commit's ledger entries.
  const holds = new Map<string, { amount: bigint; user: string }>();

  const { createBatcher } = require(join(service, 'dist', 'ledger', 'batcher.js')) as BatcherModule;
  // As the service's turns: one at a time, each carrying what arrived while the last one ran.
  const turns = createBatcher<FloorOperation, void>({
    maxBatch: 128,
    maxInFlight: 1,
    evenGroups: true,
    async run(operations) {
      await sql.query(
        'SELECT bench_store_floor_turn($1, $2::jsonb, $3::jsonb, $4::jsonb)',
        floorTurnParams(operations, new Date()),
      );
      return operations.map(() => undefined);
    },
  });

  const implementation: Pick<budgetV1.CostBudgetServiceServer, 'reserve' | 'commit'> = {
    reserve: (call, callback) => {
      const { idempotencyKey, amountMicros, scopes } = call.request;
      const held = [...scopes, globalScope];
      const rid = `rsv_${randomUUID()}`;
      const user = scopes[0]?.id ?? '';
      turns.submit({ kind: 'reserve', key: idempotencyKey, rid, amount: amountMicros, user }).then(
        () => {
          holds.set(rid, { amount: amountMicros, user });
          callback(null, {
            reservationId: rid,
            expiresAt: new Date(Date.now() + 60_000),
            balances: held.map((scope) => balance(scope, 1_000_000_000_000n)),
          });
        },
        (error: Error) => callback(error),
      );
    },
    commit: (call, callback) => {
      const { reservationId, actualMicros } = call.request;
      const hold = holds.get(reservationId);
      if (hold === undefined) {
        callback(new Error(`reservation ${reservationId} is not open here`));
        return;
      }
      holds.delete(reservationId);
      turns.submit({ kind: 'commit', rid: reservationId, actual: actualMicros, held: hold }).then(
        () =>
          callback(null, {
            reservationId,
            committedMicros: actualMicros,
            releasedMicros: 200n,
            overReservation: false,
            balances: [],
          }),
        (error: Error) => callback(error),
      );
    },
  };
  const server = new Server();
  // Only Reserve and Commit: the other methods answer UNIMPLEMENTED.
  server.addService(
    budgetV1.CostBudgetServiceService as ServiceDefinition,
    implementation as unknown as UntypedServiceImplementation,
  );
  const port = await new Promise<number>((done, fail) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? fail(error) : done(bound),
    ),
  );
  process.send!({ port });
  process.once('SIGTERM', () => server.tryShutdown(() => void sql.close().then(() => process.exit(0))));
}

main().catch((error: unknown) => {
  process.stderr.write(`cost-budget store floor: ${String(error)}\n`);
  process.exit(1);
});
