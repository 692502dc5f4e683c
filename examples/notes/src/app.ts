import { credentials } from '@grpc/grpc-js';
import { budgetV1 } from '@gatehouse/contracts';
import { protect, registerGuardMetrics } from '@gatehouse/interceptors';
import {
  createServiceMetrics,
  hostedService,
  startServiceHost,
  type Logger,
  type ServiceHost,
} from '@gatehouse/runtime';
import type { NotesConfig } from './config';
import { notesHandlers } from './notes-handlers';
import { NotesServiceDefinition, notesServiceName } from './notes-service';

/** The example's composition root: a Gatehouse service host whose calls pass the Gatehouse guards. */
export async function startNotesApp(config: NotesConfig, logger: Logger): Promise<ServiceHost> {
  const settings = config.notes;
  const metrics = createServiceMetrics({ service: config.service });
  let fallbacksLogged = 0;
  const protection = protect({
    authenticate: {
      authAddress: settings.authAddress,
      methods: {
        [NotesServiceDefinition.addNote.path]: { scopes: ['notes:write'] },
        [NotesServiceDefinition.listNotes.path]: { scopes: ['notes:read'] },
        [NotesServiceDefinition.summarize.path]: { scopes: ['notes:read'] },
      },
      cacheMaxAgeMs: settings.authCacheMaxAgeMs,
    },
    rateLimit:
      settings.rateLimitAddress === undefined
        ? undefined
        : {
            rateLimitAddress: settings.rateLimitAddress,
            domain: settings.rateLimitDomain,
            failOpen: settings.rateLimitFailOpen,
            timeoutMs: settings.rateLimitTimeoutMs,
            onFallback: (reason) => {
              const total = protection.rateLimit?.stats().fallbacks ?? 0;
              // One line per power of two: visible, never a flood.
              if (total >= fallbacksLogged * 2 || fallbacksLogged === 0) {
                fallbacksLogged = Math.max(1, total);
                logger.warn(
                  { reason, fallbacks_total: total },
                  'rate-limit service unavailable: failure policy applied',
                );
              }
            },
          },
  });
  registerGuardMetrics(metrics.registry, protection);
  const budgetClient =
    settings.budgetAddress === undefined
      ? undefined
      : new budgetV1.CostBudgetServiceClient(settings.budgetAddress, credentials.createInsecure());

  return startServiceHost({
    config,
    logger,
    metrics,
    services: [
      hostedService(
        notesServiceName,
        NotesServiceDefinition,
        notesHandlers({
          budgetClient,
          summarizeEstimateMicros: settings.summarizeEstimateMicros,
          summarizeMicrosPerNote: settings.summarizeMicrosPerNote,
          maxNotesPerAuthor: settings.maxNotesPerAuthor,
        }),
      ),
    ],
    // The line a team copies: the Gatehouse guards after the host's own observation.
    interceptors: protection.interceptors,
    opsRoutes: [
      {
        path: '/debug/rate-limit',
        handle: (_request, response) => {
          response.setHeader('content-type', 'application/json');
          response.end(JSON.stringify(protection.rateLimit?.stats() ?? null));
        },
      },
    ],
    resources: [
      { name: 'guards', close: async () => protection.close() },
      { name: 'budget client', close: async () => budgetClient?.close() },
    ],
    storesInUse: {
      auth: settings.authAddress,
      'rate-limit': settings.rateLimitAddress ?? 'off',
      budget: settings.budgetAddress ?? 'off',
    },
  });
}
