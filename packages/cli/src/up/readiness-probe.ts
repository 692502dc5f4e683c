import { setTimeout as sleep } from 'node:timers/promises';
import { credentials, Metadata, status as grpcStatus, type ServiceError } from '@grpc/grpc-js';
import { grpcHealthV1 } from '@gatehouse/contracts';

/** A started service to check: where its gRPC port is and which service must be SERVING. */
export interface ProbeTarget {
  readonly name: string;
  /** host:port of its gRPC server. */
  readonly grpcAddress: string;
  /** Fully-qualified gRPC service name. */
  readonly healthService: string;
}

/**
 * Resolves once `target` is ready; rejects with `signal.reason` when aborted. Calls `progress` with
 * what it last saw, for the message when the start times out.
 */
export type ReadinessProbe = (
  target: ProbeTarget,
  signal: AbortSignal,
  progress: (detail: string) => void,
) => Promise<void>;

export interface HealthCheckProbeOptions {
  /** Deadline of one Check call; default 1000 ms. */
  attemptTimeoutMs?: number;
  /** Pause between Check calls; default 200 ms. */
  intervalMs?: number;
}

/** Polls grpc.health.v1.Health/Check for the target's service until it answers SERVING. */
export function healthCheckProbe(options: HealthCheckProbeOptions = {}): ReadinessProbe {
  const attemptTimeoutMs = options.attemptTimeoutMs ?? 1000;
  const intervalMs = options.intervalMs ?? 200;
  return async (target, signal, progress) => {
    const client = new grpcHealthV1.HealthClient(target.grpcAddress, credentials.createInsecure());
    try {
      for (;;) {
        signal.throwIfAborted();
        const seen = await checkOnce(client, target.healthService, attemptTimeoutMs);
        if (seen === 'SERVING') return;
        progress(`health Check for ${target.healthService} answered ${seen}`);
        await sleep(intervalMs, undefined, { signal });
      }
    } catch (error) {
      throw signal.aborted ? signal.reason : error;
    } finally {
      client.close();
    }
  };
}

/** The serving status as its name, or the gRPC error as `CODE: details`. */
function checkOnce(client: grpcHealthV1.HealthClient, service: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve) => {
    client.check({ service }, new Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) => {
      if (error) resolve(describeError(error));
      else resolve(grpcHealthV1.healthCheckResponse_ServingStatusToJSON(response.status));
    });
  });
}

function describeError(error: ServiceError): string {
  return `${grpcStatus[error.code] ?? error.code}: ${error.details || error.message}`;
}
