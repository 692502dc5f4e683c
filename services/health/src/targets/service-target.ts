import { credentials, Metadata, status as grpcStatus } from '@grpc/grpc-js';
import { grpcHealthV1 } from '@gatehouse/contracts';
import type { WatchedService } from '../config';
import type { Target } from './target';

interface ReadyzBody {
  status?: string;
  checks?: { name: string; ok: boolean; detail: string }[];
}

export interface ServiceTargetOptions {
  /**
   * Longest wait between reconnection attempts; the poll interval. grpc-js backs off up to 120 s
   * by default, so a peer that came up after a slow start would be shown down for minutes.
   */
  maxReconnectBackoffMs: number;
}

/**
 * A Gatehouse service: its grpc.health.v1 readiness decides serving or not; its /readyz tells a
 * degraded service (answering under a failure policy) from a healthy one.
 */
export function serviceTarget(service: WatchedService, options: ServiceTargetOptions): Target {
  const backoffMs = options.maxReconnectBackoffMs;
  const client = new grpcHealthV1.HealthClient(service.grpcAddress, credentials.createInsecure(), {
    'grpc.initial_reconnect_backoff_ms': Math.min(1000, backoffMs),
    'grpc.max_reconnect_backoff_ms': backoffMs,
  });
  return {
    name: service.name,
    kind: 'grpc',
    critical: true,
    probe: async (timeoutMs) => {
      const [serving, readyz] = await Promise.all([
        checkServing(client, service.grpcService, timeoutMs),
        fetchReadyz(`${service.opsUrl}/readyz`, timeoutMs),
      ]);
      const failing = (readyz?.checks ?? []).filter((check) => !check.ok);
      const failures = failing.map((check) => `${check.name}: ${check.detail}`).join('; ');
      if (serving !== 'SERVING') {
        return { status: 'NOT_SERVING', detail: failures === '' ? serving : `${serving} (${failures})` };
      }
      if (readyz === undefined)
        return { status: 'DEGRADED', detail: `ops port ${service.opsUrl} did not answer` };
      if (readyz.status === 'degraded') return { status: 'DEGRADED', detail: failures };
      return { status: 'SERVING', detail: 'serving' };
    },
    close: async () => client.close(),
  };
}

function checkServing(
  client: grpcHealthV1.HealthClient,
  service: string,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve) => {
    client.check({ service }, new Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) => {
      if (!error) return resolve(grpcHealthV1.healthCheckResponse_ServingStatusToJSON(response.status));
      // grpc-js appends an empty "Resolution note:" to connection errors; it says nothing.
      const details = (error.details || error.message).replace(/\s*Resolution note:\s*$/, '');
      resolve(`${grpcStatus[error.code] ?? error.code}: ${details}`);
    });
  });
}

async function fetchReadyz(url: string, timeoutMs: number): Promise<ReadyzBody | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return (await response.json()) as ReadyzBody;
  } catch {
    return undefined;
  }
}
