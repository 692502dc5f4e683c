import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  credentials,
  makeGenericClientConstructor,
  Metadata,
  ServerInterceptingCall,
  type Client,
  type ServerInterceptor,
  type ServiceDefinition,
  type ServiceError,
} from '@grpc/grpc-js';
import type { authV1 } from '@gatehouse/contracts';
import { createLogger, hostedService, startServiceHost, type ServiceHost } from '@gatehouse/runtime';
import { benchServerEnv } from '../bench-server-env';
import type { Scenario, ScenarioInstance } from '../scenario';
import { benchUserToken, startBenchAuth, type BenchAuth } from './auth-bench-service';
import { loadRateLimit } from './ratelimit-bench-service';

/** What the scenario uses of the compiled example and interceptors (loaded at run time: `npm run bench` builds them). */
interface NotesModules {
  notesServiceName: string;
  NotesServiceDefinition: Record<'addNote' | 'listNotes', { path: string }> & object;
  readNotesConfig(env: Record<string, string>): { notes: object } & object;
  startNotesApp(config: unknown, logger: ReturnType<typeof createLogger>): Promise<ServiceHost>;
  notesHandlers(options: { summarizeEstimateMicros: number; summarizeMicrosPerNote: number }): object;
  attachPrincipal(metadata: Metadata, principal: authV1.Principal): void;
}

function loadNotes(): NotesModules {
  const root = resolve(__dirname, '..', '..', '..', '..');
  const example = require(join(root, 'examples', 'notes', 'dist', 'index.js')) as NotesModules;
  // The principal store the example's handlers read: the same module instance as theirs (one realpath).
  const { attachPrincipal } = require(join(root, 'packages', 'interceptors', 'dist', 'principal.js')) as Pick<
    NotesModules,
    'attachPrincipal'
  >;
  return { ...example, attachPrincipal };
}

/** Every descriptor the default interceptor sends (user+tier, user+method) matches a rule far above the load. */
const benchNotesRules = `
domain: bench-notes
descriptors:
  - key: user
    rate_limit: { unit: hour, requests_per_unit: 1000000000 }
    descriptors:
      - key: tier
        rate_limit: { unit: hour, requests_per_unit: 1000000000 }
      - key: method
        rate_limit: { unit: hour, requests_per_unit: 1000000000 }
`;

const notesInList = 3;

/** The example's cheap ListNotes through a JSON grpc-js client; `requireLimitHeaders` rejects calls the rate-limit service did not decide. */
function listNotesCaller(modules: NotesModules, port: number, token: string, requireLimitHeaders: boolean) {
  const Notes = makeGenericClientConstructor(
    modules.NotesServiceDefinition as unknown as ServiceDefinition,
    'Notes',
  );
  const client: Client = new Notes(`127.0.0.1:${port}`, credentials.createInsecure());
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  const unary = (path: string, request: object) =>
    new Promise<{ response: unknown; limited: boolean }>((done, fail) => {
      let limited = false;
      const call = client.makeUnaryRequest(
        path,
        (value: object) => Buffer.from(JSON.stringify(value)),
        (bytes: Buffer) => JSON.parse(bytes.toString()) as unknown,
        request,
        metadata,
        (error: ServiceError | null, response?: unknown) =>
          error ? fail(error) : done({ response, limited }),
      );
      call.on('metadata', (headers: Metadata) => {
        limited = headers.get('x-ratelimit-limit').length > 0;
      });
    });
  const { addNote, listNotes } = modules.NotesServiceDefinition;
  return {
    addNotes: async () => {
      for (let note = 0; note < notesInList; note += 1) await unary(addNote.path, { text: `note ${note}` });
    },
    call: async () => {
      const { response, limited } = await unary(listNotes.path, {});
      if ((response as { notes: unknown[] }).notes.length !== notesInList) throw new Error('wrong notes');
      // A fail-open fallback would skip the rate-limit service and flatter the figure.
      if (requireLimitHeaders && !limited) throw new Error('served without a rate-limit decision');
    },
    close: () => client.close(),
  };
}

/** Auth and rate-limit services shared by the two sides; the user's token and principal. */
interface Guards {
  auth: BenchAuth;
  authAddress: string;
  rateLimitAddress: string;
  token: string;
  principal: authV1.Principal;
  stop(): Promise<void>;
}

async function startGuards(): Promise<Guards> {
  const auth = await startBenchAuth();
  const { readRateLimitConfig, startRateLimitApp } = loadRateLimit();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-notes-'));
  writeFileSync(join(dir, 'rules.yaml'), benchNotesRules);
  // No REDIS_URL: the in-process store, as `npm start` runs it.
  const rateLimitHost = await startRateLimitApp(
    readRateLimitConfig({ ...benchServerEnv, RATELIMIT_CONFIG: join(dir, 'rules.yaml') }),
    createLogger({ service: 'rate-limit', level: 'silent' }),
  );
  const token = await benchUserToken(auth, 'bench-notes@example.com');
  const { principal } = await auth.call<authV1.AuthenticateRequest, authV1.AuthenticateResponse>(
    'authenticate',
    { bearerToken: token, requiredScopes: [], requiredRoles: [] },
  );
  return {
    auth,
    // The bench auth client's own target, e.g. "dns:127.0.0.1:41234".
    authAddress: auth.client
      .getChannel()
      .getTarget()
      .replace(/^dns:(\/\/\/)?/, ''),
    rateLimitAddress: `127.0.0.1:${rateLimitHost.grpcPort}`,
    token,
    principal: principal!,
    stop: async () => {
      await rateLimitHost.shutdown();
      await auth.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const notesEnv = { ...benchServerEnv, NOTES_GRPC_PORT: '0', NOTES_OPS_PORT: '0', NOTES_BUDGET_ADDR: 'off' };

/** The example as it ships (`startNotesApp`): authenticate + rateLimit in front of its handlers. */
async function startProtected(modules: NotesModules, guards: Guards): Promise<ScenarioInstance> {
  const config = modules.readNotesConfig({
    ...notesEnv,
    NOTES_AUTH_ADDR: guards.authAddress,
    NOTES_RATE_LIMIT_ADDR: guards.rateLimitAddress,
    NOTES_RATE_LIMIT_DOMAIN: 'bench-notes',
    // 32 calls in flight on a shared 2-core box can exceed the 50 ms default; a timeout would fail open.
    NOTES_RATE_LIMIT_TIMEOUT_MS: '1000',
  });
  const host = await modules.startNotesApp(config, createLogger({ service: 'notes', level: 'silent' }));
  const caller = listNotesCaller(modules, host.grpcPort, guards.token, true);
  await caller.addNotes();
  return {
    call: caller.call,
    teardown: async () => {
      caller.close();
      await host.shutdown();
    },
  };
}

/**
 * The same handlers on the same service host without the guards. The handlers need an author, so
 * one trivial interceptor hands them the principal the auth service verified for the same token.
 */
async function startUnprotected(modules: NotesModules, guards: Guards): Promise<ScenarioInstance> {
  const config = modules.readNotesConfig({ ...notesEnv, NOTES_RATE_LIMIT_ADDR: 'off' });
  const withPrincipal: ServerInterceptor = (_method, call) =>
    new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            modules.attachPrincipal(metadata, guards.principal);
            nextMetadata(metadata);
          },
        }),
    });
  const host = await startServiceHost({
    config: config as unknown as Parameters<typeof startServiceHost>[0]['config'],
    logger: createLogger({ service: 'notes', level: 'silent' }),
    services: [
      hostedService(
        modules.notesServiceName,
        modules.NotesServiceDefinition as never,
        modules.notesHandlers({ summarizeEstimateMicros: 5000, summarizeMicrosPerNote: 100 }) as never,
      ),
    ],
    interceptors: [withPrincipal],
  });
  const caller = listNotesCaller(modules, host.grpcPort, guards.token, false);
  await caller.addNotes();
  return {
    call: caller.call,
    teardown: async () => {
      caller.close();
      await host.shutdown();
    },
  };
}

/** Shared by the scenario and its reference: started by whichever is set up first, stopped by the last teardown. */
function sharedGuards() {
  let guards: Promise<Guards> | undefined;
  let users = 0;
  return {
    acquire: () => {
      users += 1;
      guards ??= startGuards();
      return guards;
    },
    release: async () => {
      users -= 1;
      if (users === 0 && guards !== undefined) {
        const stopping = guards;
        guards = undefined;
        await (await stopping).stop();
      }
    },
  };
}

const guards = sharedGuards();

const withGuards =
  (start: (modules: NotesModules, guards: Guards) => Promise<ScenarioInstance>) =>
  async (): Promise<ScenarioInstance> => {
    const started = await guards.acquire();
    try {
      const instance = await start(loadNotes(), started);
      return {
        call: instance.call,
        teardown: async () => {
          await instance.teardown();
          await guards.release();
        },
      };
    } catch (error) {
      await guards.release();
      throw error;
    }
  };

/**
 * The speed target: the example's cheap method (ListNotes, 3 notes) behind `authenticate`
 * + `rateLimit` against the same server without them, measured in the same rounds. The auth and
 * rate-limit services run in this process (embedded stores: PGlite, in-memory limits), so their
 * work shares the two cores with client and server.
 */
export const notesInterceptors: Scenario = {
  name: 'notes-list-guarded',
  summary:
    'notes example ListNotes behind authenticate + rateLimit (auth and rate-limit services in this process, embedded stores)',
  concurrencies: [1, 32],
  setup: withGuards(startProtected),
  reference: {
    name: 'notes-list-unguarded',
    summary: 'the same ListNotes handlers and service host without the guards',
    setup: withGuards(startUnprotected),
    targets: [
      { concurrency: 32, minThroughputRatio: 0.7 },
      { concurrency: 1, maxAddedP50RoundTrips: 1.5 },
    ],
  },
};
