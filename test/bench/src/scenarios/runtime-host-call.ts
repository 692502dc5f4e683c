import { EnvReader, readCommonConfig } from '@gatehouse/config';
import { createLogger, startServiceHost } from '@gatehouse/runtime';
import { healthCheckCaller } from '../health-check-client';
import type { Scenario } from '../scenario';
import { benchServerEnv } from '../bench-server-env';

/**
 * The same Check through a Gatehouse service host: its call interceptor (request id, metrics,
 * logging at LOG_LEVEL=silent), the HealthState behind the handler, reflection and the ops port.
 */
export const runtimeHostCall: Scenario = {
  name: 'runtime-host-check',
  summary: 'startServiceHost (interceptors, metrics, silent logs), grpc.health.v1 Check',
  concurrencies: [1, 32],
  async setup() {
    const reader = new EnvReader({
      ...benchServerEnv,
    });
    const config = reader.finish(readCommonConfig(reader, { service: 'bench', grpcPort: 0, opsPort: 0 }));
    const logger = createLogger({ service: config.service, level: config.logLevel });
    const host = await startServiceHost({ config, logger, services: [] });
    const caller = healthCheckCaller(`127.0.0.1:${host.grpcPort}`);
    return {
      call: caller.check,
      async teardown() {
        caller.close();
        await host.shutdown();
      },
    };
  },
};
