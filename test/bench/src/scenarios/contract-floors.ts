import {
  Client,
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { authV1, budgetV1, ratelimitV1 } from '@gatehouse/contracts';
import type { ScenarioInstance, ScenarioReference } from '../scenario';
import { benchKeys, ipDescriptor } from './ratelimit-bench-service';

interface UnaryMethod<Req, Res> {
  path: string;
  requestSerialize(value: Req): Buffer;
  requestDeserialize(bytes: Buffer): Req;
  responseSerialize(value: Res): Buffer;
  responseDeserialize(bytes: Buffer): Res;
}

/** One method of a bare server: its definition and how it answers (at once, or after a promise). */
export interface BareMethod<Req, Res> {
  definition: UnaryMethod<Req, Res>;
  answer(request: Req): Res | Promise<Res>;
}

export interface BareServer {
  /** Calls one of the server's methods, with one Metadata for every call as the scenarios' clients do. */
  call<Req, Res>(method: BareMethod<Req, Res>, request: Req): Promise<Res>;
  stop(): Promise<void>;
}

/**
 * A bare grpc-js server (no host, no interceptors, like the baseline's) serving `methods`, and a
 * client of it. Requests are decoded and answers encoded as the services do them, so a scenario's
 * distance to a floor built on it is what the service itself adds.
 */
export async function startBareServer(methods: readonly BareMethod<unknown, unknown>[]): Promise<BareServer> {
  const server = new Server();
  const definition: Record<string, unknown> = {};
  const handlers: UntypedServiceImplementation = {};
  methods.forEach((method, index) => {
    definition[`m${index}`] = { ...method.definition, requestStream: false, responseStream: false };
    handlers[`m${index}`] = (
      call: { request: unknown },
      callback: (error: Error | null, value?: unknown) => void,
    ) => {
      const answer = method.answer(call.request);
      if (answer instanceof Promise) answer.then((value) => callback(null, value), callback);
      else callback(null, answer);
    };
  });
  server.addService(definition as ServiceDefinition, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  const metadata = new Metadata();
  return {
    call: <Req, Res>(method: BareMethod<Req, Res>, request: Req) =>
      new Promise<Res>((resolve, reject) => {
        const { definition: unary } = method;
        client.makeUnaryRequest(
          unary.path,
          unary.requestSerialize,
          unary.responseDeserialize,
          request,
          metadata,
          (error, value) => (error ? reject(error) : resolve(value!)),
        );
      }),
    async stop() {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}

/** What a contract costs on grpc-js before any logic: a bare server answering a fixed response. */
async function startFloor<Req, Res>(
  definition: UnaryMethod<Req, Res>,
  response: Res,
  nextRequest: () => Req,
): Promise<ScenarioInstance> {
  const method: BareMethod<Req, Res> = { definition, answer: () => response };
  const bare = await startBareServer([method as BareMethod<unknown, unknown>]);
  return {
    call: () => bare.call(method, nextRequest()).then(() => undefined),
    teardown: () => bare.stop(),
  };
}

/** As long as the bench's access tokens (RS256, the claims of a bench user): 646 characters. */
const tokenShaped = `eyJhbGciOiJSUzI1NiIsImtpZCI6ImZsb29yIiwidHlwIjoiYXQrand0In0.${'x'.repeat(500)}.`.padEnd(
  646,
  's',
);

export const authenticateContractFloor: ScenarioReference = {
  name: 'auth-authenticate-floor',
  summary: 'bare grpc-js server answering Authenticate with a fixed principal (the contract, no logic)',
  setup: () => {
    const response: authV1.AuthenticateResponse = {
      principal: {
        subject: 'usr_9e2Jw0lXq3nTqGQ8mJx1Ag',
        kind: authV1.PrincipalKind.PRINCIPAL_KIND_USER,
        email: 'bench-token@example.com',
        roles: ['user'],
        scopes: [],
        tier: 'free',
        apiKeyId: '',
        expiresAt: new Date(Date.now() + 30 * 60_000),
      },
    };
    const request = { bearerToken: tokenShaped, requiredScopes: [], requiredRoles: [] };
    return startFloor(authV1.AuthServiceService.authenticate, response, () => request);
  },
};

export const checkLimitContractFloor: ScenarioReference = {
  name: 'ratelimit-check-floor',
  summary:
    'bare grpc-js server answering CheckLimit (1 descriptor) with a fixed decision (the contract, no logic)',
  setup: () => {
    const status = {
      allowed: true,
      limit: 1_000_000_000,
      remaining: 999_999_999,
      resetAfterMs: 3_600_000n,
      retryAfterMs: 0n,
      rule: 'ip/1h',
      nearLimit: false,
      shadowMode: false,
      leaseId: '',
      anomalyScore: 0,
      concurrency: false,
    };
    const response: ratelimitV1.CheckLimitResponse = {
      allowed: true,
      limit: status.limit,
      remaining: status.remaining,
      resetAfterMs: status.resetAfterMs,
      retryAfterMs: 0n,
      statuses: [status],
      fallback: false,
      anomalyScore: 0,
    };
    let i = 0;
    return startFloor(ratelimitV1.RateLimitServiceService.checkLimit, response, () => {
      i = (i + 1) % benchKeys;
      return { domain: 'bench', descriptors: [ipDescriptor(i)], hits: 1 };
    });
  },
};

/** A scope's standing as the cost-budget floors answer it: 1 000 micros held of `limitMicros`. */
export const balance = (scope: budgetV1.Scope, limitMicros: bigint): budgetV1.ScopeBalance => ({
  scope,
  limitMicros,
  remainingMicros: limitMicros - 1000n,
  resetsAt: new Date(Date.now() + 3_600_000),
  unlimited: false,
});

/**
 * The Reserve + Commit pair's floor: two calls of the cost-budget contract, answered with fixed
 * balances for a user and the global scope, with the scenario's requests. A pair is two RPCs, so
 * this floor is at most half the empty call's rate.
 */
export const reserveCommitContractFloor: ScenarioReference = {
  name: 'cost-budget-pair-floor',
  summary: 'bare grpc-js server answering Reserve then Commit with fixed balances (the contract, no logic)',
  setup: async () => {
    const { ScopeKind } = budgetV1;
    const balances = [
      balance({ kind: ScopeKind.SCOPE_KIND_USER, id: 'bench-0' }, 1_000_000_000_000n),
      balance({ kind: ScopeKind.SCOPE_KIND_GLOBAL, id: '' }, 100_000_000_000_000n),
    ];
    const service = budgetV1.CostBudgetServiceService;
    const reserve: BareMethod<budgetV1.ReserveRequest, budgetV1.ReserveResponse> = {
      definition: service.reserve,
      answer: () => ({
        reservationId: 'rsv_00000000-0000-4000-8000-000000000000',
        expiresAt: new Date(Date.now() + 60_000),
        balances,
      }),
    };
    const commit: BareMethod<budgetV1.CommitRequest, budgetV1.CommitResponse> = {
      definition: service.commit,
      answer: (request) => ({
        reservationId: request.reservationId,
        committedMicros: request.actualMicros,
        releasedMicros: 200n,
        overReservation: false,
        balances,
      }),
    };
    const bare = await startBareServer([reserve, commit] as BareMethod<unknown, unknown>[]);
    let sequence = 0;
    return {
      async call() {
        sequence += 1;
        const reserved = await bare.call(reserve, {
          idempotencyKey: `bench-${process.pid}-${sequence}`,
          scopes: [{ kind: ScopeKind.SCOPE_KIND_USER, id: `bench-${sequence % 64}` }],
          amountMicros: 1000n,
          ttlSeconds: 60,
          description: '',
        });
        await bare.call(commit, { reservationId: reserved.reservationId, actualMicros: 800n });
      },
      teardown: () => bare.stop(),
    };
  },
};
