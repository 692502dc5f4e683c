import type { CommonConfig } from '@gatehouse/config';
import { createLogger, type Logger } from '../logging/logger';
import { runUntilSignalled, type Stoppable } from './run-until-signalled';
import type { ServiceHost } from './service-host';

export interface RunServiceOptions<C extends CommonConfig> {
  config: C;
  /** The tracing started by main.ts before anything else loaded; flushed last. */
  telemetry: Stoppable;
  /** The service's composition root. */
  start: (config: C, logger: Logger) => Promise<ServiceHost>;
}

/**
 * What every service's main does after config and telemetry: start the app, announce it with one
 * `serving` line (ports and stores, read by `gatehouse up`), and stop gracefully on a signal.
 * A service that cannot start logs why and exits 1.
 */
export async function runService<C extends CommonConfig>(options: RunServiceOptions<C>): Promise<void> {
  const { config } = options;
  const logger = createLogger({ service: config.service, level: config.logLevel });
  let host: ServiceHost;
  try {
    host = await options.start(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, `${config.service} failed to start: ${errorMessage(error)}`);
    await options.telemetry.shutdown().catch(() => undefined);
    logger.flush(() => process.exit(1));
    return;
  }
  logger.info(
    { grpc_port: host.grpcPort, ops_port: host.opsPort, stores: host.storesInUse },
    `serving gRPC on ${config.grpcHost}:${host.grpcPort}, ops on ${config.opsHost}:${host.opsPort}`,
  );
  runUntilSignalled([host, options.telemetry], logger);
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
