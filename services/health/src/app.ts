import { healthV1, serviceNames } from '@gatehouse/contracts';
import { hostedService, startServiceHost, type Logger, type ServiceHost } from '@gatehouse/runtime';
import type { HealthConfig } from './config';

/**
 * The composition root of the health service: the one place its dependencies are created and wired.
 * It owns no stores. Its RPCs answer UNIMPLEMENTED until they are built.
 */
export async function startHealthApp(config: HealthConfig, logger: Logger): Promise<ServiceHost> {
  return startServiceHost({
    config,
    logger,
    services: [hostedService(serviceNames.health, healthV1.HealthServiceService, {})],
  });
}
