import {
  Client,
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import { authV1, ratelimitV1 } from '@gatehouse/contracts';
import type { ScenarioInstance, ScenarioReference } from '../scenario';
import { benchKeys, ipDescriptor } from './ratelimit-bench-service';

interface UnaryMethod<Req, Res> {
  path: string;
  requestSerialize(value: Req): Buffer;
  requestDeserialize(bytes: Buffer): Req;
  responseSerialize(value: Res): Buffer;
  responseDeserialize(bytes: Buffer): Res;
}

/**
 * What a contract costs on grpc-js before any logic: a bare server (no host, no interceptors, like
 * the baseline's) whose handler answers a fixed response, called with requests shaped like the
 * scenario's. Decoding the request and encoding the answer are done as the service does them, so a
 * scenario's distance to its floor is what the service itself adds.
 */
async function startFloor<Req, Res>(
  method: UnaryMethod<Req, Res>,
  response: Res,
  nextRequest: () => Req,
): Promise<ScenarioInstance> {
  const server = new Server();
  server.addService(
    { floor: { ...method, requestStream: false, responseStream: false } } as ServiceDefinition,
    {
      floor: (_call: unknown, callback: (error: null, value: Res) => void) => callback(null, response),
    },
  );
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  const client = new Client(`127.0.0.1:${port}`, credentials.createInsecure());
  // One Metadata for every call, as the scenarios' clients do.
  const metadata = new Metadata();
  return {
    call: () =>
      new Promise<void>((resolve, reject) => {
        const request = nextRequest();
        client.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          request,
          metadata,
          (error) => (error ? reject(error) : resolve()),
        );
      }),
    async teardown() {
      client.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
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
