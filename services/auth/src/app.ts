import { join } from 'node:path';
import { authV1, serviceNames } from '@gatehouse/contracts';
import {
  hostedService,
  openServiceStores,
  startServiceHost,
  type Logger,
  type ServiceHost,
} from '@gatehouse/runtime';
import type { AuthConfig } from './config';

/** SQL migrations ship beside the compiled code: services/auth/migrations. */
const migrationsDir = join(__dirname, '..', 'migrations');

/**
 * The composition root of the auth service: the one place its dependencies are created and wired.
 * Its RPCs answer UNIMPLEMENTED until they are built.
 */
export async function startAuthApp(config: AuthConfig, logger: Logger): Promise<ServiceHost> {
  const stores = await openServiceStores({ config, logger, sqlMigrationsDir: migrationsDir, keyValue: true });
  return startServiceHost({
    config,
    logger,
    services: [hostedService(serviceNames.auth, authV1.AuthServiceService, {})],
    readinessChecks: stores.readinessChecks,
    resources: stores.resources,
    storesInUse: stores.inUse,
  });
}
