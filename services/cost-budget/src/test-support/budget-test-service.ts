import { credentials, Metadata } from '@grpc/grpc-js';
import { budgetV1 } from '@gatehouse/contracts';
import type { Env } from '@gatehouse/config';
import type { Clock } from '@gatehouse/runtime';
import {
  startServiceInProcess,
  type Backend,
  type StartedService,
} from '../../../../test/support/start-service';
import { unaryCall } from '../../../../test/support/grpc-call';
import { startCostBudgetApp, type CostBudgetApp } from '../app';
import { readCostBudgetConfig, type CostBudgetConfig } from '../config';

export type BudgetClient = budgetV1.CostBudgetServiceClient;

export interface BudgetTestService {
  service: StartedService<CostBudgetConfig>;
  app: CostBudgetApp;
  client: BudgetClient;
  call: BudgetCalls;
  stop(): Promise<void>;
}

/** Every RPC as a promise, with optional bearer token. */
export interface BudgetCalls {
  reserve(request: Partial<budgetV1.ReserveRequest>): Promise<budgetV1.ReserveResponse>;
  commit(request: Partial<budgetV1.CommitRequest>): Promise<budgetV1.CommitResponse>;
  release(request: Partial<budgetV1.ReleaseRequest>): Promise<budgetV1.ReleaseResponse>;
  charge(request: Partial<budgetV1.ChargeRequest>): Promise<budgetV1.ChargeResponse>;
  getBudget(request: Partial<budgetV1.GetBudgetRequest>, token?: string): Promise<budgetV1.GetBudgetResponse>;
  setBudget(request: Partial<budgetV1.SetBudgetRequest>, token?: string): Promise<budgetV1.SetBudgetResponse>;
  listBudgets(
    request: Partial<budgetV1.ListBudgetsRequest>,
    token?: string,
  ): Promise<budgetV1.ListBudgetsResponse>;
  listBudgetEvents(
    request: Partial<budgetV1.ListBudgetEventsRequest>,
    token?: string,
  ): Promise<budgetV1.ListBudgetEventsResponse>;
  verifyLedger(
    request: Partial<budgetV1.VerifyLedgerRequest>,
    token?: string,
  ): Promise<budgetV1.VerifyLedgerResponse>;
}

export function metadataFor(token?: string): Metadata {
  const metadata = new Metadata();
  if (token !== undefined) metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

export function budgetCalls(client: BudgetClient): BudgetCalls {
  const md = metadataFor;
  return {
    reserve: (r) => unaryCall(client, client.reserve, budgetV1.ReserveRequest.fromPartial(r), md()),
    commit: (r) => unaryCall(client, client.commit, budgetV1.CommitRequest.fromPartial(r), md()),
    release: (r) => unaryCall(client, client.release, budgetV1.ReleaseRequest.fromPartial(r), md()),
    charge: (r) => unaryCall(client, client.charge, budgetV1.ChargeRequest.fromPartial(r), md()),
    getBudget: (r, t) => unaryCall(client, client.getBudget, budgetV1.GetBudgetRequest.fromPartial(r), md(t)),
    setBudget: (r, t) => unaryCall(client, client.setBudget, budgetV1.SetBudgetRequest.fromPartial(r), md(t)),
    listBudgets: (r, t) =>
      unaryCall(client, client.listBudgets, budgetV1.ListBudgetsRequest.fromPartial(r), md(t)),
    listBudgetEvents: (r, t) =>
      unaryCall(client, client.listBudgetEvents, budgetV1.ListBudgetEventsRequest.fromPartial(r), md(t)),
    verifyLedger: (r, t) =>
      unaryCall(client, client.verifyLedger, budgetV1.VerifyLedgerRequest.fromPartial(r), md(t)),
  };
}

/**
 * The cost-budget composition root in this process on 127.0.0.1:0, through its own config reader.
 * `isolation` reuses another instance's schema and key prefix (a second replica).
 */
export async function startBudgetTestService(options: {
  backend: Backend;
  authAddress: string;
  clock?: Clock;
  env?: Env;
  shareStoresWith?: CostBudgetConfig;
}): Promise<BudgetTestService> {
  let app: CostBudgetApp | undefined;
  const shared: Env =
    options.shareStoresWith === undefined
      ? {}
      : {
          DATABASE_SCHEMA: options.shareStoresWith.databaseSchema,
          REDIS_KEY_PREFIX: options.shareStoresWith.redisKeyPrefix,
        };
  const service = await startServiceInProcess<CostBudgetConfig>(
    'cost-budget',
    async (config, logger) => {
      app = await startCostBudgetApp(config, logger, { clock: options.clock });
      return app;
    },
    {
      backend: options.backend,
      readConfig: readCostBudgetConfig,
      env: {
        BUDGET_AUTH_ADDR: options.authAddress,
        BUDGET_EXPIRY_SWEEP_INTERVAL_MS: '3600000',
        ...options.env,
        ...shared,
      },
    },
  );
  const client = new budgetV1.CostBudgetServiceClient(
    `127.0.0.1:${service.host.grpcPort}`,
    credentials.createInsecure(),
  );
  return {
    service,
    app: app!,
    client,
    call: budgetCalls(client),
    async stop() {
      client.close();
      if (options.shareStoresWith === undefined) await service.stop();
      else await service.host.shutdown();
    },
  };
}

export const user = (id: string): budgetV1.Scope => ({ kind: budgetV1.ScopeKind.SCOPE_KIND_USER, id });
export const team = (id: string): budgetV1.Scope => ({ kind: budgetV1.ScopeKind.SCOPE_KIND_TEAM, id });
export const globalScopeMessage: budgetV1.Scope = { kind: budgetV1.ScopeKind.SCOPE_KIND_GLOBAL, id: '' };
