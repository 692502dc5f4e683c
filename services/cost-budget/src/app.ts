import { join } from 'node:path';
import { budgetV1, serviceNames } from '@gatehouse/contracts';
import {
  hostedService,
  openServiceStores,
  startServiceHost,
  type Logger,
  type ServiceHost,
} from '@gatehouse/runtime';
import type { CostBudgetConfig } from './config';

/** SQL migrations ship beside the compiled code: services/cost-budget/migrations. */
const migrationsDir = join(__dirname, '..', 'migrations');

/**
 * The composition root of the cost-budget service: the one place its dependencies are created and wired.
 * Its RPCs answer UNIMPLEMENTED until they are built.
 */
export async function startCostBudgetApp(config: CostBudgetConfig, logger: Logger): Promise<ServiceHost> {
  const stores = await openServiceStores({ config, logger, sqlMigrationsDir: migrationsDir, keyValue: true });
  return startServiceHost({
    config,
    logger,
    services: [hostedService(serviceNames.costBudget, budgetV1.CostBudgetServiceService, {})],
    readinessChecks: stores.readinessChecks,
    resources: stores.resources,
    storesInUse: stores.inUse,
  });
}
