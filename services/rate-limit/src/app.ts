import { ratelimitV1, serviceNames } from '@gatehouse/contracts';
import {
  hostedService,
  openServiceStores,
  startServiceHost,
  type Logger,
  type ServiceHost,
} from '@gatehouse/runtime';
import type { RateLimitConfig } from './config';

/**
 * The composition root of the rate-limit service: the one place its dependencies are created and wired.
 * Its RPCs answer UNIMPLEMENTED until they are built.
 */
export async function startRateLimitApp(config: RateLimitConfig, logger: Logger): Promise<ServiceHost> {
  const stores = await openServiceStores({ config, logger, keyValue: true });
  return startServiceHost({
    config,
    logger,
    services: [hostedService(serviceNames.rateLimit, ratelimitV1.RateLimitServiceService, {})],
    readinessChecks: stores.readinessChecks,
    resources: stores.resources,
    storesInUse: stores.inUse,
  });
}
